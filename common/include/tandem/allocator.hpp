#pragma once
/// tandem::allocator<T>: a standard allocator for memory the CPU kernels run at the machine's
/// limits on. Blocks of 2 MiB or more are whole 2 MiB pages at a 2 MiB boundary, advised to the
/// kernel as transparent huge pages (madvise(MADV_HUGEPAGE); a kernel without them ignores it),
/// and first touched by the OpenMP threads that tandem's kernels give each part of the block
/// to. Smaller blocks are plain 64-byte aligned new.
///
/// First touch: std::vector value-initialises its elements serially after allocating, so the
/// allocator cannot leave the first touch to the elements' users. It touches one byte per 4 KiB
/// page from the team's threads (the pages are faulted and zeroed by the kernel in parallel,
/// on each thread's NUMA node) and leaves the values to the container: a vector then writes its
/// zeros into pages that are already there.
///
/// **Example**:
///   std::vector<double, tandem::allocator<double>> x(1 << 26);  // 512 MiB on huge pages
///   // pass x to any workload call: its memory-bound loops run at the huge-page limit
///
/// Allocation failure is std::bad_alloc; tandem's own outputs (Matrix) report it as
/// tandem::out_of_memory.
#include <cstddef>
#include <limits>
#include <new>
#include <type_traits>

#include "tandem/export.hpp"

namespace tandem {

namespace detail {
/// The allocator's storage: throws std::bad_alloc. `bytes` must be the same in both calls.
TANDEM_EXPORT void* allocate_bytes(std::size_t bytes);
TANDEM_EXPORT void deallocate_bytes(void* p, std::size_t bytes) noexcept;
}  // namespace detail

template <class T>
class allocator {
 public:
  using value_type = T;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using propagate_on_container_move_assignment = std::true_type;
  using is_always_equal = std::true_type;

  /// Blocks of this many bytes or more are huge-page blocks.
  static constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;

  constexpr allocator() noexcept = default;
  template <class U>
  constexpr allocator(const allocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] T* allocate(std::size_t n) {
    static_assert(alignof(T) <= 64, "tandem::allocator aligns to 64 bytes at least");
    if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(detail::allocate_bytes(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { detail::deallocate_bytes(p, n * sizeof(T)); }

  template <class U>
  friend constexpr bool operator==(const allocator&, const allocator<U>&) noexcept {
    return true;
  }
};

}  // namespace tandem

#include "memory/memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <new>
#include <string>

#include "tandem/allocator.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#if TANDEM_HAS_OPENMP
#include <omp.h>

#include "openmp_threads.hpp"
#endif

namespace tandem::detail {

namespace {

std::size_t parse_size(const char* s) noexcept {
  if (s == nullptr || *s == '\0') return 0;
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0' || s[0] == '-') return 0;
  return static_cast<std::size_t>(v);
}

std::size_t sys_cache_bytes() noexcept {
  // The highest-level cache cpu0 lists, e.g. "32768K".
  std::size_t best = 0;
  for (int index = 0; index < 8; ++index) {
    std::ifstream in("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/size");
    std::string text;
    if (!(in >> text)) break;
    std::size_t mult = 1;
    if (!text.empty() && (text.back() == 'K' || text.back() == 'M')) {
      mult = text.back() == 'K' ? 1024 : 1024 * 1024;
      text.pop_back();
    }
    const std::size_t v = parse_size(text.c_str()) * mult;
    if (v > best) best = v;
  }
  return best;
}

std::size_t compute_threshold() noexcept {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once, under the static's guard
  if (const char* env = std::getenv("TANDEM_STREAMING_THRESHOLD_BYTES")) {
    if (env[0] >= '0' && env[0] <= '9') return parse_size(env);
  }
  long v = -1;
#if defined(_SC_LEVEL3_CACHE_SIZE)
  v = sysconf(_SC_LEVEL3_CACHE_SIZE);
#endif
  if (v > 0) return static_cast<std::size_t>(v);
  const std::size_t s = sys_cache_bytes();
  return s > 0 ? s : std::size_t{32} << 20;
}

using CopyFn = void (*)(void*, const void*, std::size_t) noexcept;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx512f"))) void copy_avx512(void* dst, const void* src,
                                                    std::size_t bytes) noexcept {
  auto* d = static_cast<__m512i*>(dst);
  const auto* s = static_cast<const __m512i*>(src);
  for (std::size_t i = 0; i < bytes / 64; ++i) _mm512_stream_si512(d + i, _mm512_load_si512(s + i));
}
__attribute__((target("avx"))) void copy_avx(void* dst, const void* src,
                                             std::size_t bytes) noexcept {
  auto* d = static_cast<__m256i*>(dst);
  const auto* s = static_cast<const __m256i*>(src);
  for (std::size_t i = 0; i < bytes / 32; ++i) _mm256_stream_si256(d + i, _mm256_load_si256(s + i));
}
void copy_sse2(void* dst, const void* src, std::size_t bytes) noexcept {
  auto* d = static_cast<__m128i*>(dst);
  const auto* s = static_cast<const __m128i*>(src);
  for (std::size_t i = 0; i < bytes / 16; ++i) _mm_stream_si128(d + i, _mm_load_si128(s + i));
}
CopyFn pick_copy() noexcept {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return copy_avx512;
  if (__builtin_cpu_supports("avx")) return copy_avx;
  return copy_sse2;
}
#else
void copy_plain(void* dst, const void* src, std::size_t bytes) noexcept {
  std::memcpy(dst, src, bytes);
}
CopyFn pick_copy() noexcept { return copy_plain; }
#endif

const CopyFn g_copy = pick_copy();

constexpr std::size_t kHuge = allocator<char>::huge_page_bytes;

}  // namespace

std::size_t streaming_threshold_bytes() noexcept {
  static const std::size_t bytes = compute_threshold();
  return bytes;
}

void stream_copy(void* dst, const void* src, std::size_t bytes) noexcept {
  (g_copy != nullptr ? g_copy : pick_copy())(dst, src, bytes);
}

void stream_fence() noexcept {
#if defined(__x86_64__)
  _mm_sfence();
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

void first_touch(void* p, std::size_t bytes) noexcept {
  constexpr std::size_t kPage = 4096;
  auto* base = static_cast<volatile unsigned char*>(p);
  const auto pages = static_cast<std::int64_t>((bytes + kPage - 1) / kPage);
#if TANDEM_HAS_OPENMP
  const int threads = openmp_team(0).threads;
  if (threads > 1) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int64_t i = 0; i < pages; ++i) base[static_cast<std::size_t>(i) * kPage] = 0;
    return;
  }
#endif
  for (std::int64_t i = 0; i < pages; ++i) base[static_cast<std::size_t>(i) * kPage] = 0;
}

namespace {

// Freed huge-page blocks kept for the next allocation of the same size: a program that makes a
// fresh output per call (an allocating overload in a loop) would otherwise pay for a new
// mapping and for faulting and zeroing every page again on each call. At most kCachedBlocks
// blocks and kCachedBytes bytes are kept; larger blocks are unmapped at once.
constexpr std::size_t kCachedBlocks = 4;
constexpr std::size_t kCachedBytes = std::size_t{1} << 30;

struct BlockCache {
  std::mutex mutex;
  std::array<void*, kCachedBlocks> block{};
  std::array<std::size_t, kCachedBlocks> size{};
  std::size_t bytes = 0;
};

BlockCache& block_cache() {
  static BlockCache* cache = new BlockCache;  // never destroyed: frees may come after exit
  return *cache;
}

// A cached block of exactly `size` bytes, or null.
void* take_cached(std::size_t size) noexcept {
  BlockCache& c = block_cache();
  std::lock_guard lock(c.mutex);
  for (std::size_t i = 0; i < kCachedBlocks; ++i) {
    if (c.block[i] != nullptr && c.size[i] == size) {
      void* p = c.block[i];
      c.block[i] = nullptr;
      c.bytes -= size;
      return p;
    }
  }
  return nullptr;
}

// Keeps the block for reuse when it fits in the cache; false when the caller must unmap it.
bool keep_cached(void* p, std::size_t size) noexcept {
  if (size > kCachedBytes) return false;
  BlockCache& c = block_cache();
  std::lock_guard lock(c.mutex);
  if (c.bytes + size > kCachedBytes) return false;
  for (std::size_t i = 0; i < kCachedBlocks; ++i) {
    if (c.block[i] == nullptr) {
      c.block[i] = p;
      c.size[i] = size;
      c.bytes += size;
      return true;
    }
  }
  return false;
}

}  // namespace

void* allocate_bytes(std::size_t bytes) {
  if (bytes < kHuge) {
    return ::operator new (bytes > 0 ? bytes : 1, std::align_val_t{64});
  }
  // Whole 2 MiB pages at a 2 MiB boundary, so every page of the block can be a huge page.
  const std::size_t size = (bytes + kHuge - 1) / kHuge * kHuge;
  if (size < bytes || size + kHuge < size) throw std::bad_alloc();
  if (void* cached = take_cached(size)) return cached;  // its pages are in place already
  void* raw =
      mmap(nullptr, size + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + kHuge - 1) / kHuge * kHuge;
  if (aligned > start) munmap(raw, aligned - start);
  const std::uintptr_t end = start + size + kHuge;
  if (end > aligned + size) munmap(reinterpret_cast<void*>(aligned + size), end - aligned - size);
  void* p = reinterpret_cast<void*>(aligned);
#if defined(MADV_HUGEPAGE)
  (void)madvise(p, size, MADV_HUGEPAGE);  // advice: a kernel without THP refuses it, and may
#endif
  first_touch(p, bytes);
  return p;
}

void deallocate_bytes(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) return;
  if (bytes < kHuge) {
    ::operator delete (p, std::align_val_t{64});
    return;
  }
  const std::size_t size = (bytes + kHuge - 1) / kHuge * kHuge;
  if (!keep_cached(p, size)) munmap(p, size);
}

}  // namespace tandem::detail

#pragma once
// Argument checks shared by every entry point. They run once, in common/, before dispatch and
// before anything is written; each throws tandem::invalid_argument naming the function, the
// argument and the values.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tandem/dtype.hpp"
#include "tandem/map_op.hpp"
#include "tandem/options.hpp"
#include "tandem/views.hpp"

namespace tandem::detail {

/// A matrix view as raw bytes, for checks that do not care about the element type.
struct RawMatrix {
  const void* data;
  std::int64_t rows, cols, ld;
  std::size_t elem;  // bytes per element
};

template <class T>
RawMatrix raw(MatrixView<T> v) noexcept {
  return {v.data, v.rows, v.cols, v.ld, sizeof(T)};
}

[[noreturn]] void fail(const char* function, const std::string& what);

/// `text` for an error message: bytes outside printable ASCII as \xNN, so a NUL or a control
/// character in a user's string cannot cut or garble what() (a C string).
std::string printable(std::string_view text);

/// Whether b is one of the Backend enumerators (a cast integer may be anything).
constexpr bool is_backend(Backend b) noexcept {
  return b == Backend::serial || b == Backend::openmp || b == Backend::cuda ||
         b == Backend::automatic;
}

/// 0 <= threads <= max_threads; backend, when set, a Backend enumerator.
void check_options(const char* function, const Options& options);

/// data non-null when n > 0; n fits the index type.
void check_span(const char* function, const char* name, const void* data, std::size_t n,
                std::size_t elem);

/// rows, cols >= 0; ld >= cols; non-null data when it has elements; the extent
/// ((rows - 1) * ld + cols) * elem fits in the address space.
void check_matrix(const char* function, const char* name, const RawMatrix& m);

/// "3x4" and the like, for messages.
std::string shape(const RawMatrix& m);

/// Whether two views share at least one element (exact for strided views, not extent based).
bool overlaps(const RawMatrix& p, const RawMatrix& q) noexcept;

/// Throws if `out` shares any element with `in`.
void check_disjoint(const char* function, const char* out_name, const RawMatrix& out,
                    const char* in_name, const RawMatrix& in);

/// Contiguous ranges [p, p + pn*elem) as a 1 x n matrix.
inline RawMatrix raw_span(const void* p, std::size_t n, std::size_t elem) noexcept {
  const auto c = static_cast<std::int64_t>(n);
  return {p, c > 0 ? 1 : 0, c, c, elem};
}

/// Converts a MapOp parameter to T; throws if it does not fit.
template <class T>
T convert_param(const char* function, const char* name, const Scalar& s);

}  // namespace tandem::detail

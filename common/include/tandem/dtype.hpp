#pragma once
/// Element types tandem computes with, and the one list every layer expands.
///
/// Adding a dtype is one line in TANDEM_FOR_EACH_DTYPE (and the enum): public overloads,
/// validation and every backend's type switch are generated from the list.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

/// X(C++ type, DType enumerator) for every element type (the dtypes a workload may have).
#define TANDEM_FOR_EACH_DTYPE(X) \
  X(float, f32)                  \
  X(double, f64)                 \
  X(std::int32_t, i32)           \
  X(std::int64_t, i64)

/// The floating-point subset: the element types of workloads that compute in floating point only.
#define TANDEM_FOR_EACH_FLOAT_DTYPE(X) \
  X(float, f32)                        \
  X(double, f64)

namespace tandem {

/// Run-time tag of an element type.
enum class DType { f32, f64, i32, i64 };

/// "f32", "f64", "i32", "i64".
constexpr std::string_view to_string(DType d) noexcept {
  switch (d) {
#define TANDEM_DTYPE_NAME_(T, name) \
  case DType::name:                 \
    return #name;
    TANDEM_FOR_EACH_DTYPE(TANDEM_DTYPE_NAME_)
#undef TANDEM_DTYPE_NAME_
  }
  return "?";
}

/// Bytes of one element of `d` (0 for a value that is no enumerator).
constexpr std::size_t size_of(DType d) noexcept {
  switch (d) {
#define TANDEM_DTYPE_SIZE_(T, name) \
  case DType::name:                 \
    return sizeof(T);
    TANDEM_FOR_EACH_DTYPE(TANDEM_DTYPE_SIZE_)
#undef TANDEM_DTYPE_SIZE_
  }
  return 0;
}

namespace detail {
template <class T>
struct dtype_of_impl;
#define TANDEM_DTYPE_OF_(T, name)               \
  template <>                                   \
  struct dtype_of_impl<T> {                     \
    static constexpr DType value = DType::name; \
  };
TANDEM_FOR_EACH_DTYPE(TANDEM_DTYPE_OF_)
#undef TANDEM_DTYPE_OF_
// clang-format off
template <class T>
concept has_dtype = requires { dtype_of_impl<std::remove_cv_t<T>>::value; };
}  // namespace detail

/// The DType of a C++ element type, e.g. `dtype_of<float> == DType::f32`.
template <class T>
  requires detail::has_dtype<T>
inline constexpr DType dtype_of = detail::dtype_of_impl<std::remove_cv_t<T>>::value;
// clang-format on

}  // namespace tandem

#pragma once
/// Row-major matrix views (with a leading dimension, so sub-matrices work) and a small owning
/// matrix. Element (i, j) of a view lives at data[i * ld + j].
///
/// **Example**:
///   tandem::Matrix<double> M(4, 6);
///   tandem::MatrixView<double> block = M.view().submatrix(1, 2, 2, 3);  // rows 1-2, cols 2-4
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <new>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "tandem/allocator.hpp"
#include "tandem/error.hpp"

namespace tandem {

/// A non-owning rows x cols row-major view with leading dimension ld (ld >= cols).
/// `MatrixView<const T>` is a read-only view; a `MatrixView<T>` converts to it.
template <class T>
struct MatrixView {
  T* data = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t ld = 0;

  constexpr MatrixView() = default;
  /// A contiguous rows x cols matrix (ld = cols).
  constexpr MatrixView(T* data_, std::int64_t rows_, std::int64_t cols_)
      : data(data_), rows(rows_), cols(cols_), ld(cols_) {}
  constexpr MatrixView(T* data_, std::int64_t rows_, std::int64_t cols_, std::int64_t ld_)
      : data(data_), rows(rows_), cols(cols_), ld(ld_) {}
  /// A mutable view converts to a read-only one.
  // clang-format off
  template <class U>
    requires(std::is_same_v<const U, T> && !std::is_same_v<U, T>)
  constexpr MatrixView(MatrixView<U> other)  // NOLINT(google-explicit-constructor)
      : data(other.data), rows(other.rows), cols(other.cols), ld(other.ld) {}
  // clang-format on

  /// Element (i, j); unchecked.
  constexpr T& operator()(std::int64_t i, std::int64_t j) const { return data[i * ld + j]; }

  /// The nrows x ncols block whose top-left element is (r0, c0), sharing this view's ld.
  /// Throws tandem::invalid_argument if the block does not lie inside this view.
  MatrixView submatrix(std::int64_t r0, std::int64_t c0, std::int64_t nrows,
                       std::int64_t ncols) const {
    if (r0 < 0 || c0 < 0 || nrows < 0 || ncols < 0 || r0 > rows - nrows || c0 > cols - ncols) {
      throw invalid_argument("tandem::MatrixView::submatrix: block at (" + std::to_string(r0) +
                             ", " + std::to_string(c0) + ") of " + std::to_string(nrows) + "x" +
                             std::to_string(ncols) + " does not fit in a " + std::to_string(rows) +
                             "x" + std::to_string(cols) + " view");
    }
    return MatrixView(nrows > 0 && ncols > 0 ? data + r0 * ld + c0 : data, nrows, ncols, ld);
  }
};

/// An owning, contiguous, row-major rows x cols matrix, zero-initialised. Its elements live in
/// tandem::allocator memory (huge pages from 2 MiB on).
template <class T>
class Matrix {
 public:
  Matrix() = default;
  /// Throws tandem::invalid_argument for negative or unrepresentable sizes and
  /// tandem::out_of_memory when the elements cannot be allocated.
  Matrix(std::int64_t rows, std::int64_t cols) : rows_(rows), cols_(cols) {
    const std::size_t size = checked_size(rows, cols);
    try {
      storage_.resize(size);
    } catch (const std::bad_alloc&) {
      throw out_of_memory("tandem::Matrix: cannot allocate " + std::to_string(rows) + "x" +
                          std::to_string(cols) + " elements (" +
                          std::to_string(size / (1 << 20) * sizeof(T)) + " MiB)");
    }
  }
  /// Row-major values; values.size() must equal rows * cols.
  Matrix(std::int64_t rows, std::int64_t cols, std::initializer_list<T> values)
      : Matrix(rows, cols, std::vector<T>(values)) {}
  Matrix(std::int64_t rows, std::int64_t cols, const std::vector<T>& values)
      : rows_(rows), cols_(cols), storage_(values.begin(), values.end()) {
    if (storage_.size() != checked_size(rows, cols)) {
      throw invalid_argument("tandem::Matrix: " + std::to_string(storage_.size()) +
                             " values given for a " + std::to_string(rows) + "x" +
                             std::to_string(cols) + " matrix");
    }
  }

  std::int64_t rows() const noexcept { return rows_; }
  std::int64_t cols() const noexcept { return cols_; }
  T* data() noexcept { return storage_.data(); }
  const T* data() const noexcept { return storage_.data(); }
  T& operator()(std::int64_t i, std::int64_t j) { return storage_[index(i, j)]; }
  const T& operator()(std::int64_t i, std::int64_t j) const { return storage_[index(i, j)]; }
  /// All elements, row-major.
  std::span<T> values() noexcept { return storage_; }
  std::span<const T> values() const noexcept { return storage_; }

  MatrixView<T> view() noexcept { return {storage_.data(), rows_, cols_}; }
  MatrixView<const T> view() const noexcept { return {storage_.data(), rows_, cols_}; }
  operator MatrixView<T>() noexcept { return view(); }  // NOLINT(google-explicit-constructor)
  operator MatrixView<const T>() const noexcept {       // NOLINT(google-explicit-constructor)
    return view();
  }

  friend bool operator==(const Matrix&, const Matrix&) = default;

 private:
  static std::size_t checked_size(std::int64_t rows, std::int64_t cols) {
    if (rows < 0 || cols < 0 || (rows != 0 && cols > INT64_MAX / rows) ||
        static_cast<std::uint64_t>(rows * cols) > std::vector<T>().max_size()) {
      throw invalid_argument("tandem::Matrix: cannot hold " + std::to_string(rows) + "x" +
                             std::to_string(cols) + " elements");
    }
    return static_cast<std::size_t>(rows * cols);
  }
  std::size_t index(std::int64_t i, std::int64_t j) const noexcept {
    return static_cast<std::size_t>(i * cols_ + j);
  }

  std::int64_t rows_ = 0;
  std::int64_t cols_ = 0;
  std::vector<T, allocator<T>> storage_;
};

}  // namespace tandem

// tandem::matmul entry points: validate shapes, leading dimensions and aliasing, dispatch.
#include "tandem/matmul.hpp"
#include "checks/device_checks.hpp"
#include "dispatch/dispatch.hpp"
#include "checks/validate.hpp"

namespace tandem {

namespace detail {
namespace {

constexpr const char* kMatmul = "tandem::matmul";

void check_operands(const Options& options, const RawMatrix& A, const RawMatrix& B) {
  check_options(kMatmul, options);
  check_matrix(kMatmul, "A", A);
  check_matrix(kMatmul, "B", B);
  if (A.cols != B.rows) {
    fail(kMatmul, "A is " + shape(A) + " but B is " + shape(B) + " (A.cols must equal B.rows)");
  }
}

template <class T>
void matmul_impl(MatrixView<const T> A, MatrixView<const T> B, MatrixView<T> C,
                 const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  check_operands(options, raw(A), raw(B));
  check_matrix(kMatmul, "C", raw(C));
  if (C.rows != A.rows || C.cols != B.cols) {
    fail(kMatmul, "C is " + shape(raw(C)) + " but A·B is " + std::to_string(A.rows) + "x" +
                      std::to_string(B.cols) + " (C must be A.rows x B.cols)");
  }
  check_disjoint(kMatmul, "C", raw(C), "A", raw(A));
  check_disjoint(kMatmul, "C", raw(C), "B", raw(B));
  const MatmulArgs args{dtype_of<T>, A.rows, B.cols, A.cols, A.data,
                        A.ld,        B.data, B.ld,   C.data, C.ld};
  const double work =
      static_cast<double>(A.rows) * static_cast<double>(B.cols) * static_cast<double>(A.cols);
  const double bytes = (static_cast<double>(A.rows) * static_cast<double>(A.cols) +
                        static_cast<double>(B.rows) * static_cast<double>(B.cols) +
                        static_cast<double>(C.rows) * static_cast<double>(C.cols)) *
                       sizeof(T);
  const Call call{kMatmul, Workload::matmul, dtype_of<T>, work, bytes};
  // An empty C needs no backend work (a serial loop over 2^62 empty rows would still run).
  run(
      call, options, start,
      [&](BackendImpl& b, const Exec& e) {
        if (args.m > 0 && args.n > 0) b.matmul(args, e);
      },
      [&](BackendImpl& b, const Exec& e, Verification& v) {
        verified_matmul(kMatmul, b, e, args, v);
      });
}

template <class T>
Matrix<T> matmul_alloc(MatrixView<const T> A, MatrixView<const T> B, const Options& options) {
  check_operands(options, raw(A), raw(B));
  Matrix<T> C = allocate_matrix<T>(kMatmul, A.rows, B.cols);
  matmul_impl<T>(A, B, C, options);
  return C;
}

void matmul_device(ConstDeviceMatrix A, ConstDeviceMatrix B, DeviceMatrix C,
                   const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  check_options(kMatmul, options);
  const RawMatrix a = device_raw(kMatmul, "A", A);
  const RawMatrix b = device_raw(kMatmul, "B", B);
  const RawMatrix c = device_raw(kMatmul, "C", C);
  const DType dtype = A.buffer->dtype();
  check_dtype(kMatmul, "B.buffer", *B.buffer, dtype);
  check_dtype(kMatmul, "C.buffer", *C.buffer, dtype);
  if (a.cols != b.rows) {
    fail(kMatmul, "A is " + shape(a) + " but B is " + shape(b) + " (A.cols must equal B.rows)");
  }
  if (c.rows != a.rows || c.cols != b.cols) {
    fail(kMatmul, "C is " + shape(c) + " but A·B is " + std::to_string(a.rows) + "x" +
                      std::to_string(b.cols) + " (C must be A.rows x B.cols)");
  }
  check_disjoint(kMatmul, "C", c, "A", a);
  check_disjoint(kMatmul, "C", c, "B", b);
  const MatmulArgs args{
      dtype, a.rows, b.cols, a.cols, a.data, a.ld, b.data, b.ld, const_cast<void*>(c.data),
      c.ld};  // c.data is C.buffer's: writable
  const double work =
      static_cast<double>(a.rows) * static_cast<double>(b.cols) * static_cast<double>(a.cols);
  const double bytes = (static_cast<double>(a.rows) * static_cast<double>(a.cols) +
                        static_cast<double>(b.rows) * static_cast<double>(b.cols) +
                        static_cast<double>(c.rows) * static_cast<double>(c.cols)) *
                       static_cast<double>(a.elem);
  const Call call{kMatmul, Workload::matmul, dtype, work, bytes, true};
  run(
      call, options, start, [&](BackendImpl& be, const Exec& e) { be.matmul(args, e); },
      [&](BackendImpl& be, const Exec& e, Verification& v) {
        verified_matmul(kMatmul, be, e, args, v);
      });
}

}  // namespace
}  // namespace detail

#define TANDEM_DEFINE_MATMUL_(T, name)                                                           \
  void matmul(MatrixView<const T> A, MatrixView<const T> B, MatrixView<T> C, const Options& o) { \
    detail::matmul_impl<T>(A, B, C, o);                                                          \
  }                                                                                              \
  Matrix<T> matmul(MatrixView<const T> A, MatrixView<const T> B, const Options& o) {             \
    return detail::matmul_alloc<T>(A, B, o);                                                     \
  }
TANDEM_FOR_EACH_DTYPE(TANDEM_DEFINE_MATMUL_)
#undef TANDEM_DEFINE_MATMUL_

void matmul(ConstDeviceMatrix A, ConstDeviceMatrix B, DeviceMatrix C, const Options& o) {
  detail::matmul_device(A, B, C, o);
}

}  // namespace tandem

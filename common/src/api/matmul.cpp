// tandem::matmul entry points: validate shapes, leading dimensions and aliasing, dispatch.
#include <algorithm>
#include <memory>
#include <vector>

#include "checks/device_checks.hpp"
#include "checks/validate.hpp"
#include "checks/verify_tools.hpp"
#include "dispatch/dispatch.hpp"
#include "tandem/matmul.hpp"
#include "workloads/sample_data.hpp"
#include "workloads/workload_traits.hpp"

namespace tandem {

namespace detail {
namespace {

// Runs the backend into scratch, serial on the same inputs, and commits the backend's result
// once the two agree within the bound (checks/verify.hpp).
void verified_matmul(const char* function, BackendImpl& backend, const Exec& exec,
                     const MatmulArgs& args, Verification& v) {
  if (args.m <= 0 || args.n <= 0) return;  // an empty C: nothing to compute
  visit_dtype(args.dtype, [&]<class T>() {
    const auto cells = static_cast<std::size_t>(args.m) * static_cast<std::size_t>(args.n);
    const HostCopy a =
        host_operand(function, args.a, args.m, args.k, args.lda, sizeof(T), exec.device);
    const HostCopy bm =
        host_operand(function, args.b, args.k, args.n, args.ldb, sizeof(T), exec.device);
    Scratch out(function, cells * sizeof(T), exec.device);
    MatmulArgs b = args;
    b.c = out.data();
    b.ldc = args.n;
    timed(v, [&] { run_on<tandem::Workload::matmul>(backend, b, exec); });
    std::vector<T> want(cells);
    MatmulArgs s = args;
    s.a = a.data;
    s.b = bm.data;
    s.c = want.data();
    s.ldc = args.n;
    run_on<tandem::Workload::matmul>(serial_backend(), s, serial_exec());
    const T* got = reinterpret_cast<const T*>(out.host());
    constexpr bool exact = !std::is_floating_point_v<T>;
    // 2·k·eps·(|A|·|B|)ij + 2·k·min_normal: twice the bound both results satisfy (see the header).
    const T* A = static_cast<const T*>(a.data);
    const T* B = static_cast<const T*>(bm.data);
    const auto k = static_cast<double>(args.k);
    const auto bound_of = [&](std::int64_t i, std::int64_t j) {
      if constexpr (exact) {
        return 0.0;
      } else {
        double sum = 0.0;
        for (std::int64_t p = 0; p < args.k; ++p) {
          sum += std::fabs(static_cast<double>(A[i * args.lda + p])) *
                 std::fabs(static_cast<double>(B[p * args.ldb + j]));
        }
        constexpr double eps = std::numeric_limits<T>::epsilon();
        constexpr double tiny = std::numeric_limits<T>::min();
        return 2.0 * k * eps * sum + 2.0 * k * tiny;
      }
    };
    const Worst w = compare<T>(got, want.data(), args.m, args.n, bound_of, exact, v);
    if (w.mismatches > 0) {
      mismatch(function, backend.kind(), "matmul", args.dtype, at_cell("C", w.row, w.col), w,
               v.compared,
               exact ? std::string("exact: integers wrap alike")
                     : "2·k·eps·(|A|·|B|)ij + 2·k·min_normal, k = " + std::to_string(args.k));
    }
    commit(function, args.c, args.ldc, reinterpret_cast<const std::byte*>(got), args.m, args.n,
           sizeof(T), exec.device);
  });
}

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
  MatmulArgs args{dtype_of<T>, A.rows, B.cols, A.cols, A.data, A.ld, B.data, B.ld, C.data, C.ld};
  const Call call{kMatmul, Problem::matmul(dtype_of<T>, A.rows, B.cols, A.cols)};
  // An empty C needs no backend work (a serial loop over 2^62 empty rows would still run).
  run(
      call, options, start,
      [&](BackendImpl& b, const Exec& e) {
        if (args.m > 0 && args.n > 0) run_on<tandem::Workload::matmul>(b, args, e);
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
  MatmulArgs args{
      dtype, a.rows, b.cols, a.cols, a.data, a.ld, b.data, b.ld, const_cast<void*>(c.data),
      c.ld};  // c.data is C.buffer's: writable
  const Call call{kMatmul, on_device(Problem::matmul(dtype, a.rows, b.cols, a.cols))};
  run(
      call, options, start,
      [&](BackendImpl& be, const Exec& e) { run_on<tandem::Workload::matmul>(be, args, e); },
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

// ---- what matmul is: its Problem, cost-model defaults, calibration sizes, sample call -------

Problem Problem::matmul(DType dtype, std::int64_t m, std::int64_t n, std::int64_t k) {
  const auto dm = static_cast<double>(m), dn = static_cast<double>(n), dk = static_cast<double>(k);
  return {Workload::matmul, dtype, dm * dn * dk,
          (dm * dk + dk * dn + dm * dn) * detail::checked_size("tandem::Problem::matmul", dtype)};
}

namespace detail {

namespace {
double by_dtype(DType d, double f32, double f64, double i32, double i64) {
  return d == DType::f32 ? f32 : d == DType::f64 ? f64 : d == DType::i32 ? i32 : i64;
}
}  // namespace

template <>
const WorkloadTraits& traits_of<tandem::Workload::matmul>() {
  static const WorkloadTraits t{
      .has_dtype = any_dtype,
      .problem = [](DType d, const WorkloadSize& s) { return Problem::matmul(d, s.n, s.n, s.n); },
      .input_fraction = 2.0 / 3.0,  // A and B in, C out (square)
      // Serial and openmp: 2 cores of an AVX-512 Xeon (bench/results/); cuda: GEMM at tens of
      // TFLOP/s.
      .serial_default =
          [](DType d) {
            return Default{0.2e-6, by_dtype(d, 0.25e-9, 0.45e-9, 0.55e-9, 0.6e-9)};
          },
      .openmp_default =
          [](DType d) {
            return Default{by_dtype(d, 0.8e-6, 1.0e-6, 2.5e-6, 2.5e-6),
                           by_dtype(d, 0.06e-9, 0.13e-9, 0.04e-9, 0.08e-9)};
          },
      .cuda_default =
          [](DType d) {
            return Default{kCudaOverhead, by_dtype(d, 5e-14, 1e-13, 4e-13, 1e-12)};
          },
      .cpu_sizes =
          [](bool quick) {
            std::vector<std::int64_t> v{4, 8, 16, 24, 32, 48, 64, 128};
            if (!quick) v.push_back(256);
            return v;
          },
      .gpu_sizes =
          [] {
            return std::vector<std::int64_t>{256, 512, 1024};
          },
      .sample_bytes =
          [](DType d, const WorkloadSize& s) {
            // a, b, c and the generated values of a and b
            return 5.0 * static_cast<double>(s.n) * static_cast<double>(s.n) *
                   static_cast<double>(size_of(d));
          },
      .sample =
          [](DType d, const WorkloadSize& s) {
            return visit_dtype(d, [&]<class T>() {
              auto a = std::make_shared<Matrix<T>>(s.n, s.n),
                   b = std::make_shared<Matrix<T>>(s.n, s.n),
                   c = std::make_shared<Matrix<T>>(s.n, s.n);
              const auto va = sample_values<T>(s.n * s.n, 2), vb = sample_values<T>(s.n * s.n, 3);
              std::copy(va.begin(), va.end(), a->data());
              std::copy(vb.begin(), vb.end(), b->data());
              return SampleCall{Problem::matmul(d, s.n, s.n, s.n),
                                [a, b, c](const Options& o) {
                                  tandem::matmul(a->view(), b->view(), c->view(), o);
                                },
                                [c] { return sample_checksum(c->data(), c->rows() * c->cols()); }};
            });
          },
      .cli = {256, std::int64_t{1} << 20, false, false, "N x N times N x N"},
  };
  return t;
}

}  // namespace detail

}  // namespace tandem

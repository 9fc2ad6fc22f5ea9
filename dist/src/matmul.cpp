// C = A·B with A, B and C in bands of rows. Rank r holds A_r (m_r x k), B_r (k_r x n) and
// C_r (m_r x n); C_r = sum over s of A_r[:, koff_s : koff_s + k_s] · B_s. The bands of B travel
// around a ring (rank r receives from r + 1 and sends to r - 1), the next band in flight while
// the local product with the current one runs, so each rank holds at most two bands of B.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <type_traits>
#include <vector>

#include "comm.hpp"
#include "tandem/dist.hpp"
#include "tandem/matmul.hpp"

namespace tandem::dist::detail {
namespace {

constexpr int kBandTag = 21;

std::string shape(std::int64_t rows, std::int64_t cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

template <class T>
void check_view(const char* fn, const char* name, MatrixView<T> v) {
  if (v.rows < 0 || v.cols < 0 || v.ld < v.cols ||
      (v.data == nullptr && v.rows > 0 && v.cols > 0)) {
    throw invalid_argument(std::string(name) + " is " + shape(v.rows, v.cols) + " with ld " +
                           std::to_string(v.ld) + (v.data == nullptr ? " and null data" : "") +
                           " (" + fn + " needs rows, cols >= 0, ld >= cols, data for elements)");
  }
}

// c += t, wrapping for integers.
template <class T>
void accumulate(MatrixView<T> c, const T* t) {
  for (std::int64_t i = 0; i < c.rows; ++i) {
    T* row = c.data + i * c.ld;
    const T* add = t + i * c.cols;
    for (std::int64_t j = 0; j < c.cols; ++j) {
      if constexpr (std::is_integral_v<T>) {
        using U = std::make_unsigned_t<T>;
        row[j] = static_cast<T>(static_cast<U>(row[j]) + static_cast<U>(add[j]));
      } else {
        row[j] += add[j];
      }
    }
  }
}

template <class T>
void matmul_impl(MatrixView<const T> a, MatrixView<const T> b, MatrixView<T> c, MPI_Comm comm,
                 const Options& options) {
  constexpr const char* kFn = "tandem::dist::matmul";
  const auto start = std::chrono::steady_clock::now();
  const Comm cm(kFn, comm);
  std::exception_ptr error;
  try {
    check_threads(kFn, options.threads);
    check_view(kFn, "a_rows", a);
    check_view(kFn, "b_rows", b);
    check_view(kFn, "c_rows", c);
    if (c.rows != a.rows || c.cols != b.cols) {
      throw invalid_argument("c_rows is " + shape(c.rows, c.cols) + " but a_rows is " +
                             shape(a.rows, a.cols) + " and b_rows " + shape(b.rows, b.cols) +
                             " (c_rows must be a_rows.rows x b_rows.cols)");
    }
  } catch (...) {
    error = std::current_exception();
  }
  const std::int64_t v[4] = {a.rows, a.cols, b.rows, b.cols};
  const std::vector<Status> all = cm.open(Op::matmul, dtype_code<T>(), v, error);
  const int P = cm.size();
  const int r = cm.rank();
  // Every rank checks the same gathered shapes, so all throw alike.
  std::vector<std::int64_t> koff(static_cast<std::size_t>(P) + 1, 0);
  std::int64_t kmax = 0;
  for (int s = 0; s < P; ++s) {
    koff[s + 1] = koff[s] + all[s].v[2];
    kmax = std::max(kmax, all[s].v[2]);
  }
  const std::int64_t k = koff[P];
  const std::int64_t n = all[0].v[3];
  for (int s = 0; s < P; ++s) {
    if (all[s].v[3] != n) {
      cm.fail_all(errc::invalid_argument,
                  "b_rows has " + std::to_string(all[s].v[3]) + " columns on rank " +
                      std::to_string(s) + " but " + std::to_string(n) +
                      " on rank 0 (every band of B must have the same columns)");
    }
    if (all[s].v[1] != k) {
      cm.fail_all(errc::invalid_argument,
                  "a_rows has " + std::to_string(all[s].v[1]) + " columns on rank " +
                      std::to_string(s) + " but B has " + std::to_string(k) +
                      " rows in all (a_rows.cols must equal the sum of the ranks' b_rows.rows)");
    }
  }

  // The ring: two band buffers (contiguous, kmax x n); rows travel as one MPI datatype. The
  // product builds up in `acc` and is copied to c only once every rank has finished without
  // an error, so a failure anywhere in the ring leaves c_rows as it was.
  std::vector<T> bands[2];
  std::vector<T> acc;
  MPI_Datatype row = MPI_DATATYPE_NULL;
  try {
    mpi_count(kFn, n, "a row of B");
    mpi_count(kFn, kmax, "a band of B's rows");
    const auto band_elems = static_cast<std::size_t>(kmax * n);
    bands[0].resize(band_elems);
    if (P > 1) bands[1].resize(band_elems);
    acc.resize(static_cast<std::size_t>(c.rows * n));
    for (std::int64_t i = 0; i < b.rows; ++i) {
      std::copy_n(b.data + i * b.ld, n, bands[0].data() + i * n);
    }
  } catch (...) {
    error = std::current_exception();
  }
  cm.agree(error);
  if (n > 0) {
    cm.check(MPI_Type_contiguous(static_cast<int>(n), mpi_type<T>(), &row), "MPI_Type_contiguous");
    cm.check(MPI_Type_commit(&row), "MPI_Type_commit");
  }
  struct TypeGuard {
    MPI_Datatype* t;
    ~TypeGuard() {
      if (*t != MPI_DATATYPE_NULL) MPI_Type_free(t);
    }
  } guard{&row};

  std::vector<T> partial;
  const int next = (r + 1) % P;
  const int prev = (r + P - 1) % P;
  int cur = 0;
  for (int step = 0; step < P; ++step) {
    const int s = (r + step) % P;  // the band held now
    const int incoming = (r + step + 1) % P;
    MPI_Request requests[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    if (step + 1 < P && n > 0) {
      const int nrecv = static_cast<int>(all[incoming].v[2]);
      const int nsend = static_cast<int>(all[s].v[2]);
      cm.check(MPI_Irecv(bands[1 - cur].data(), nrecv, row, next, kBandTag, cm.get(), &requests[0]),
               "MPI_Irecv");
      cm.check(MPI_Isend(bands[cur].data(), nsend, row, prev, kBandTag, cm.get(), &requests[1]),
               "MPI_Isend");
    }
    // The local product in chunks of rows, testing the transfers in between: MPI progresses a
    // large (rendezvous) message only inside its calls, so this keeps the next band moving.
    int test_rc = MPI_SUCCESS;
    const auto product = [&](MatrixView<const T> as, MatrixView<const T> bs, MatrixView<T> out) {
      const std::int64_t chunk = std::max<std::int64_t>(64, (as.rows + 3) / 4);
      for (std::int64_t i0 = 0; i0 < as.rows; i0 += chunk) {
        const std::int64_t h = std::min(chunk, as.rows - i0);
        matmul(as.submatrix(i0, 0, h, as.cols), bs, out.submatrix(i0, 0, h, out.cols), options);
        int done = 0;
        if (test_rc == MPI_SUCCESS) test_rc = MPI_Testall(2, requests, &done, MPI_STATUSES_IGNORE);
      }
    };
    // A failure in a local product is remembered; the ring still turns, then all agree.
    if (!error) {
      try {
        const MatrixView<const T> as = a.submatrix(0, koff[s], a.rows, all[s].v[2]);
        const MatrixView<const T> bs(bands[cur].data(), all[s].v[2], n);
        const MatrixView<T> sum(acc.data(), c.rows, n);
        if (step == 0) {
          product(as, bs, sum);
        } else if (c.rows > 0 && n > 0 && all[s].v[2] > 0) {
          partial.resize(static_cast<std::size_t>(c.rows * n));
          product(as, bs, MatrixView<T>(partial.data(), c.rows, n));
          accumulate(sum, partial.data());
        }
      } catch (...) {
        error = std::current_exception();
      }
    }
    cm.check(test_rc, "MPI_Testall");
    cm.check(MPI_Waitall(2, requests, MPI_STATUSES_IGNORE), "MPI_Waitall");
    cur = 1 - cur;
  }
  cm.agree(error);
  for (std::int64_t i = 0; i < c.rows; ++i) {
    std::copy_n(acc.data() + i * n, n, c.data + i * c.ld);
  }
  if (options.stats != nullptr) {
    options.stats->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
}

}  // namespace
}  // namespace tandem::dist::detail

namespace tandem::dist {

#define TANDEM_DIST_DEFINE_MATMUL_(T)                                                       \
  void matmul(MatrixView<const T> a_rows, MatrixView<const T> b_rows, MatrixView<T> c_rows, \
              MPI_Comm comm, const Options& options) {                                      \
    detail::matmul_impl<T>(a_rows, b_rows, c_rows, comm, options);                          \
  }
TANDEM_DIST_DEFINE_MATMUL_(float)
TANDEM_DIST_DEFINE_MATMUL_(double)
TANDEM_DIST_DEFINE_MATMUL_(std::int32_t)
TANDEM_DIST_DEFINE_MATMUL_(std::int64_t)
#undef TANDEM_DIST_DEFINE_MATMUL_

}  // namespace tandem::dist

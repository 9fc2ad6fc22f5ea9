// Sample sort over ranks, then an exact rebalance.
//   1. each rank sorts its part (ascending, NaNs last);
//   2. samples, evenly spaced in each sorted part and in number proportional to its size, are
//      gathered on every rank; P - 1 splitters are chosen from them. Elements are keyed by
//      (value, global index), so equal values spread over ranks too;
//   3. one all-to-all sends each element to the rank of its splitter interval; each rank merges
//      the sorted runs it receives;
//   4. a second all-to-all moves the (few) elements needed so rank r holds exactly the sorted
//      positions of block(n, comm): parts in rank order, sizes within one of n / P.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <vector>

#include "comm.hpp"
#include "tandem/dist.hpp"
#include "tandem/sort.hpp"

namespace tandem::dist::detail {
namespace {

template <class T>
bool less(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return a < b || (!std::isnan(a) && std::isnan(b));
  } else {
    return a < b;
  }
}

template <class T>
struct Key {
  T value;
  std::int64_t id;  // global index in the ranks' sorted parts: breaks ties
};

template <class T>
bool key_less(const Key<T>& x, const Key<T>& y) {
  if (less(x.value, y.value)) return true;
  if (less(y.value, x.value)) return false;
  return x.id < y.id;
}

std::vector<int> displacements(const std::vector<int>& counts) {
  std::vector<int> d(counts.size(), 0);
  for (std::size_t i = 1; i < counts.size(); ++i) d[i] = d[i - 1] + counts[i - 1];
  return d;
}

template <class T>
std::vector<T> sort_impl(std::span<const T> local, MPI_Comm comm, const Options& options) {
  constexpr const char* kFn = "tandem::dist::sort";
  const Comm c(kFn, comm);
  const int P = c.size();
  const int r = c.rank();
  std::exception_ptr error;
  std::vector<T> mine;
  try {
    check_threads(kFn, options.threads);
    if (local.data() == nullptr && !local.empty()) {
      throw invalid_argument("local has " + std::to_string(local.size()) +
                             " elements but a null data pointer");
    }
    mpi_count(kFn, static_cast<std::int64_t>(local.size()), "local");
    mine.assign(local.begin(), local.end());
    tandem::sort(std::span<T>(mine), options);  // the rank's own part on its backend
  } catch (...) {
    error = std::current_exception();
  }
  const std::int64_t v[4] = {static_cast<std::int64_t>(local.size()), 0, 0, 0};
  const std::vector<Status> all = c.open(Op::sort, dtype_code<T>(), v, error);
  std::vector<std::int64_t> offs(static_cast<std::size_t>(P) + 1, 0);
  for (int s = 0; s < P; ++s) offs[s + 1] = offs[s] + all[s].v[0];
  const std::int64_t n = offs[P];
  const std::int64_t off = offs[r];
  const auto local_n = static_cast<std::int64_t>(mine.size());
  if (P == 1) return mine;

  // 2. Samples: about kOversample per rank on average, each rank's share by its size.
  constexpr std::int64_t kOversample = 32;
  const std::int64_t total_samples = std::min<std::int64_t>(n, kOversample * P);
  const auto samples_of = [&](int s) -> std::int64_t {
    const std::int64_t a = n == 0 ? 0 : offs[s] * total_samples / n;
    const std::int64_t b = n == 0 ? 0 : offs[s + 1] * total_samples / n;
    return b - a;
  };
  std::vector<Key<T>> samples(static_cast<std::size_t>(samples_of(r)));
  for (std::size_t j = 0; j < samples.size(); ++j) {
    const auto i = static_cast<std::int64_t>((2 * j + 1) * static_cast<std::size_t>(local_n) /
                                             (2 * samples.size()));
    samples[j] = {mine[static_cast<std::size_t>(i)], off + i};
  }
  std::vector<int> counts(static_cast<std::size_t>(P));
  for (int s = 0; s < P; ++s) counts[s] = static_cast<int>(samples_of(s) * sizeof(Key<T>));
  std::vector<int> displs = displacements(counts);
  std::vector<Key<T>> gathered(static_cast<std::size_t>(total_samples));
  c.check(MPI_Allgatherv(samples.data(), counts[r], MPI_BYTE, gathered.data(), counts.data(),
                         displs.data(), MPI_BYTE, c.get()),
          "MPI_Allgatherv");
  std::sort(gathered.begin(), gathered.end(), key_less<T>);
  std::vector<Key<T>> splitters;
  for (int s = 1; s < P && !gathered.empty(); ++s) {
    splitters.push_back(gathered[static_cast<std::size_t>(s * total_samples / P)]);
  }

  // 3. Element i of this rank goes to the first rank whose splitter exceeds its key.
  std::vector<int> send(static_cast<std::size_t>(P), 0);
  {
    std::int64_t begin = 0;
    for (int s = 0; s < P; ++s) {
      std::int64_t end_s = local_n;
      if (s < static_cast<int>(splitters.size())) {
        const Key<T> split = splitters[static_cast<std::size_t>(s)];
        // Keys of this rank are (mine[i], off + i), increasing in i.
        std::int64_t lo = begin;
        std::int64_t hi = local_n;
        while (lo < hi) {
          const std::int64_t mid = lo + (hi - lo) / 2;
          if (key_less<T>({mine[static_cast<std::size_t>(mid)], off + mid}, split)) {
            lo = mid + 1;
          } else {
            hi = mid;
          }
        }
        end_s = lo;
      }
      send[s] = static_cast<int>(end_s - begin);
      begin = end_s;
    }
  }
  std::vector<int> recv(static_cast<std::size_t>(P));
  c.check(MPI_Alltoall(send.data(), 1, MPI_INT, recv.data(), 1, MPI_INT, c.get()), "MPI_Alltoall");
  std::vector<int> sdispl = displacements(send);
  std::vector<int> rdispl = displacements(recv);
  std::int64_t received = 0;
  for (int s = 0; s < P; ++s) received += recv[s];
  std::vector<T> bucket;
  error = nullptr;
  try {
    mpi_count(kFn, received, "the elements one rank receives");
    bucket.resize(static_cast<std::size_t>(received));
  } catch (...) {
    error = std::current_exception();
  }
  c.agree(error);
  c.check(MPI_Alltoallv(mine.data(), send.data(), sdispl.data(), mpi_type<T>(), bucket.data(),
                        recv.data(), rdispl.data(), mpi_type<T>(), c.get()),
          "MPI_Alltoallv");
  // Merge the P sorted runs pairwise (log P rounds).
  for (int width = 1; width < P; width *= 2) {
    for (int s = 0; s + width < P; s += 2 * width) {
      const int mid = s + width;
      const int last = std::min(P, s + 2 * width);
      const auto at = [&](int q) {
        return bucket.begin() + (q < P ? rdispl[q] : static_cast<std::ptrdiff_t>(received));
      };
      std::inplace_merge(at(s), at(mid), at(last), less<T>);
    }
  }
  mine = std::vector<T>();

  // 4. Rebalance to block(n, comm): everyone knows everyone's bucket size.
  std::vector<std::int64_t> sizes(static_cast<std::size_t>(P));
  c.check(MPI_Allgather(&received, 1, MPI_INT64_T, sizes.data(), 1, MPI_INT64_T, c.get()),
          "MPI_Allgather");
  const auto target = [&](int s) { return (n / P) * s + std::min<std::int64_t>(s, n % P); };
  std::vector<std::int64_t> have(static_cast<std::size_t>(P) + 1, 0);
  for (int s = 0; s < P; ++s) have[s + 1] = have[s] + sizes[s];
  const auto overlap = [](std::int64_t a0, std::int64_t a1, std::int64_t b0, std::int64_t b1) {
    return std::max<std::int64_t>(0, std::min(a1, b1) - std::max(a0, b0));
  };
  for (int s = 0; s < P; ++s) {
    send[s] = static_cast<int>(overlap(have[r], have[r + 1], target(s), target(s + 1)));
    recv[s] = static_cast<int>(overlap(have[s], have[s + 1], target(r), target(r + 1)));
  }
  sdispl = displacements(send);
  rdispl = displacements(recv);
  std::vector<T> part;
  error = nullptr;
  try {
    part.resize(static_cast<std::size_t>(target(r + 1) - target(r)));
  } catch (...) {
    error = std::current_exception();
  }
  c.agree(error);
  c.check(MPI_Alltoallv(bucket.data(), send.data(), sdispl.data(), mpi_type<T>(), part.data(),
                        recv.data(), rdispl.data(), mpi_type<T>(), c.get()),
          "MPI_Alltoallv");
  return part;
}

}  // namespace
}  // namespace tandem::dist::detail

namespace tandem::dist {

#define TANDEM_DIST_DEFINE_SORT_(T)                                                      \
  std::vector<T> sort(std::span<const T> local, MPI_Comm comm, const Options& options) { \
    return detail::sort_impl<T>(local, comm, options);                                   \
  }
TANDEM_DIST_DEFINE_SORT_(float)
TANDEM_DIST_DEFINE_SORT_(double)
TANDEM_DIST_DEFINE_SORT_(std::int32_t)
TANDEM_DIST_DEFINE_SORT_(std::int64_t)
#undef TANDEM_DIST_DEFINE_SORT_

}  // namespace tandem::dist

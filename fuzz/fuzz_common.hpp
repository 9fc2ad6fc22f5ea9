#pragma once
// What every fuzz target shares: a byte pool that all operands of a call are carved from (so
// overlap arises naturally and every access the library may make is inside memory the harness
// owns, with ASan's redzones at both ends), views decoded from the input (sane ones mostly, wild
// 64-bit values sometimes), the documented validity rules recomputed independently, a
// brute-force overlap oracle, and the invariant checks.
//
// The invariant for every call: no crash and no sanitizer report; and either a typed
// tandem::error with the outputs (the whole pool) and the Stats untouched, or success with a
// result equal to the serial backend's on a copy of the pool and nothing outside the outputs
// written.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

#include "tandem/tandem.hpp"

namespace tandem_fuzz {

[[noreturn]] inline void broken(const char* what, const char* file, int line) {
  std::fprintf(stderr, "tandem fuzz: invariant broken at %s:%d: %s\n", file, line, what);
  std::abort();
}
#define TANDEM_FUZZ_CHECK(cond) \
  ((cond) ? (void)0 : ::tandem_fuzz::broken(#cond, __FILE__, __LINE__))

inline constexpr std::size_t kPoolBytes = 1 << 14;

/// splitmix64: bulk pool contents from one seed of the input, so short inputs fill the pool.
inline std::uint64_t mix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// How element values are drawn. `bounded`: floats are small multiples of 1/4 (|v| <= 32) so that
/// any summation order gives the exact result (matmul through BLAS, mse), plus placed specials.
/// `raw`: any bit pattern (NaN, Inf, subnormals) for workloads whose element operations are the
/// same on every backend.
enum class Values { raw, bounded };

template <class T>
T special(std::uint8_t which) {
  if constexpr (std::is_floating_point_v<T>) {
    constexpr T specials[] = {std::numeric_limits<T>::quiet_NaN(),
                              std::numeric_limits<T>::infinity(),
                              -std::numeric_limits<T>::infinity(),
                              T(-0.0),
                              std::numeric_limits<T>::denorm_min(),
                              std::numeric_limits<T>::max()};
    return specials[which % 6];
  } else {
    constexpr T specials[] = {std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), T(-1),
                              T(0)};
    return specials[which % 4];
  }
}

/// The pool every operand of one call lives in, filled with values of T.
class Pool {
 public:
  template <class T>
  void fill(FuzzedDataProvider& fdp, Values values, bool allow_max = true) {
    bytes.assign(kPoolBytes, 0);
    std::uint64_t seed = fdp.ConsumeIntegral<std::uint64_t>();
    T* p = reinterpret_cast<T*>(bytes.data());
    const std::size_t n = kPoolBytes / sizeof(T);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t r = mix(seed);
      if constexpr (std::is_floating_point_v<T>) {
        if (values == Values::bounded) {
          p[i] = static_cast<T>(static_cast<std::int8_t>(r & 0xFF)) / T(4);
          if (p[i] == T(0)) p[i] = T(0.25);
        } else {
          std::memcpy(&p[i], &r, sizeof(T));
        }
      } else {
        std::memcpy(&p[i], &r, sizeof(T));
      }
    }
    // A few special values at positions the input chooses.
    const int specials = fdp.ConsumeIntegralInRange<int>(0, 4);
    for (int s = 0; s < specials; ++s) {
      const auto at = fdp.ConsumeIntegralInRange<std::size_t>(0, n - 1);
      T v = special<T>(fdp.ConsumeIntegral<std::uint8_t>());
      if constexpr (std::is_floating_point_v<T>) {
        if (!allow_max && v == std::numeric_limits<T>::max()) v = T(1);
      }
      p[at] = v;
    }
  }
  unsigned char* data() { return bytes.data(); }
  std::vector<unsigned char> bytes;
};

/// A matrix view (or a span: rows 1) as offsets into the pool, possibly null.
struct ViewSpec {
  std::int64_t offset = 0;  // elements from the pool's start
  std::int64_t rows = 0, cols = 0, ld = 0;
  bool null = false;
};

/// Sane shapes mostly (small, ld a little over cols, anywhere in the pool), sometimes any 64-bit
/// values, sometimes a null pointer.
inline ViewSpec consume_view(FuzzedDataProvider& fdp, std::size_t elem, int max_dim = 24) {
  const std::int64_t pool_elems = static_cast<std::int64_t>(kPoolBytes / elem);
  ViewSpec v;
  const int mode = fdp.ConsumeIntegralInRange<int>(0, 15);
  v.offset = fdp.ConsumeIntegralInRange<std::int64_t>(0, pool_elems);
  if (mode < 13) {
    v.rows = fdp.ConsumeIntegralInRange<std::int64_t>(0, max_dim);
    v.cols = fdp.ConsumeIntegralInRange<std::int64_t>(0, max_dim);
    v.ld = v.cols + fdp.ConsumeIntegralInRange<std::int64_t>(0, 9);
  } else if (mode < 15) {
    v.rows = fdp.ConsumeIntegral<std::int64_t>();
    v.cols = fdp.ConsumeIntegral<std::int64_t>();
    const std::int8_t delta = fdp.ConsumeIntegral<std::int8_t>();
    const bool near = fdp.ConsumeBool();
    if (near && !__builtin_add_overflow(v.cols, delta, &v.ld)) {
      // ld within a few elements of cols
    } else {
      v.ld = fdp.ConsumeIntegral<std::int64_t>();
    }
  } else {
    v.null = true;
    v.rows = fdp.ConsumeIntegralInRange<std::int64_t>(0, 3);
    v.cols = fdp.ConsumeIntegralInRange<std::int64_t>(0, 3);
    v.ld = v.cols;
  }
  return v;
}

/// A span's size: small mostly, sometimes any 64-bit value.
inline ViewSpec consume_span(FuzzedDataProvider& fdp, std::size_t elem, std::int64_t max_n = 300) {
  const std::int64_t pool_elems = static_cast<std::int64_t>(kPoolBytes / elem);
  ViewSpec v;
  const int mode = fdp.ConsumeIntegralInRange<int>(0, 15);
  v.offset = fdp.ConsumeIntegralInRange<std::int64_t>(0, pool_elems);
  v.rows = 1;
  if (mode < 14) {
    v.cols = fdp.ConsumeIntegralInRange<std::int64_t>(0, max_n);
  } else if (mode < 15) {
    v.cols = static_cast<std::int64_t>(fdp.ConsumeIntegral<std::uint64_t>() >> 1);
  } else {
    v.null = true;
    v.cols = fdp.ConsumeIntegralInRange<std::int64_t>(0, 2);
  }
  v.ld = v.cols;
  return v;
}

/// The documented rules, recomputed: rows, cols >= 0, ld >= cols, data non-null when the view
/// has elements, ((rows - 1) * ld + cols) * elem representable.
inline bool valid(const ViewSpec& v, std::size_t elem) {
  if (v.rows < 0 || v.cols < 0 || v.ld < v.cols) return false;
  if (v.rows == 0 || v.cols == 0) return true;
  if (v.null) return false;
  const __int128 extent = static_cast<__int128>(v.rows - 1) * v.ld + v.cols;
  return extent <= std::numeric_limits<std::int64_t>::max() / static_cast<std::int64_t>(elem);
}
/// A span of n elements: non-null when n > 0 and n * elem representable.
inline bool valid_span(const ViewSpec& v, std::size_t elem) {
  if (v.cols > 0 && v.null) return false;
  return static_cast<__int128>(v.cols) * static_cast<__int128>(elem) <=
         std::numeric_limits<std::int64_t>::max();
}
inline bool empty(const ViewSpec& v) { return v.rows <= 0 || v.cols <= 0; }

/// Whether the view lies inside the pool, so the library may touch every element.
inline bool in_pool(const ViewSpec& v, std::size_t elem) {
  if (empty(v)) return true;
  if (v.null || v.rows < 0 || v.cols < 0 || v.ld < v.cols) return false;
  const __int128 end = static_cast<__int128>(v.offset) + static_cast<__int128>(v.rows - 1) * v.ld +
                       v.cols;
  return end <= static_cast<__int128>(kPoolBytes / elem);
}

template <class T>
T* pointer(Pool& pool, const ViewSpec& v) {
  if (v.null) return nullptr;
  return reinterpret_cast<T*>(pool.data() + v.offset * static_cast<std::int64_t>(sizeof(T)));
}

/// The bytes of a view (in the pool), as a mask.
inline std::vector<bool> bytes_of(const ViewSpec& v, std::size_t elem) {
  std::vector<bool> mask(kPoolBytes, false);
  if (empty(v)) return mask;
  for (std::int64_t i = 0; i < v.rows; ++i) {
    const std::int64_t b0 = (v.offset + i * v.ld) * static_cast<std::int64_t>(elem);
    for (std::int64_t b = b0; b < b0 + v.cols * static_cast<std::int64_t>(elem); ++b) {
      mask[static_cast<std::size_t>(b)] = true;
    }
  }
  return mask;
}

/// Brute force: whether two in-pool views share a byte.
inline bool overlap(const ViewSpec& p, std::size_t pe, const ViewSpec& q, std::size_t qe) {
  if (empty(p) || empty(q)) return false;
  const auto a = bytes_of(p, pe);
  const auto b = bytes_of(q, qe);
  for (std::size_t i = 0; i < kPoolBytes; ++i) {
    if (a[i] && b[i]) return true;
  }
  return false;
}

/// Equal values: floats compare as numbers (so +0 == -0) or both NaN; integers exactly.
template <class T>
bool same_value(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return a == b || (std::isnan(a) && std::isnan(b));
  } else {
    return a == b;
  }
}

/// Options decoded from the input: any backend (a cast integer sometimes), threads mostly
/// 0..8, sometimes any int (values 65..max_threads are valid but replaced by 64, to keep
/// executions fast).
struct OptionSpec {
  tandem::Options options;
  bool valid = true;  // by the documented rules
};
inline OptionSpec consume_options(FuzzedDataProvider& fdp) {
  OptionSpec o;
  const int b = fdp.ConsumeIntegralInRange<int>(0, 9);
  if (b < 4) {
    o.options.backend = static_cast<tandem::Backend>(b);
  } else if (b == 4) {
    o.options.backend = static_cast<tandem::Backend>(fdp.ConsumeIntegral<int>());
    const int v = static_cast<int>(*o.options.backend);
    o.valid = v >= 0 && v <= 3;
  } else if (b == 5) {
    o.options.backend = tandem::Backend::openmp;
  }  // else: the process default (automatic here)
  if (fdp.ConsumeIntegralInRange<int>(0, 15) == 0) {
    int t = fdp.ConsumeIntegral<int>();
    if (t > 64 && t <= tandem::max_threads) t = 64;
    o.options.threads = t;
    if (t < 0 || t > tandem::max_threads) o.valid = false;
  } else {
    o.options.threads = fdp.ConsumeIntegralInRange<int>(0, 8);
  }
  return o;
}

/// The outcome of one call.
enum class Outcome { ok, invalid_argument, backend_unavailable, out_of_memory, other };

template <class F>
Outcome outcome_of(F&& f) {
  try {
    f();
    return Outcome::ok;
  } catch (const tandem::invalid_argument& e) {
    TANDEM_FUZZ_CHECK(std::strncmp(e.what(), "tandem::", 8) == 0);
    return Outcome::invalid_argument;
  } catch (const tandem::backend_unavailable&) {
    return Outcome::backend_unavailable;
  } catch (const tandem::out_of_memory&) {
    return Outcome::out_of_memory;
  } catch (...) {
    return Outcome::other;
  }
}

/// Stats as a failed call must leave them.
inline tandem::Stats marked_stats() {
  tandem::Stats s;
  s.threads = -42;
  s.reason = "untouched";
  return s;
}
inline bool untouched(const tandem::Stats& s) { return s.threads == -42 && s.reason == "untouched"; }

/// Whether the backend the options ask for runs here (cuda does not in a build without it).
inline bool runnable(const tandem::Options& o) {
  const tandem::Backend b = o.backend.value_or(tandem::default_backend());
  return b == tandem::Backend::automatic || tandem::backend_info(b).available;
}

/// The checks after a call under test: outcome as expected, the pool untouched on error, and on
/// success equal to the oracle on the outputs and unchanged elsewhere.
/// `expected_reject`: the harness's own rules say invalid_argument; `oracle`: the serial run's
/// outcome (authoritative for what the harness does not model, such as parameter conversion).
struct Verdict {
  bool expected_reject;
  Outcome oracle;
  Outcome got;
};
inline void check_outcome(const Verdict& v, const OptionSpec& o, const tandem::Stats& stats,
                          const std::vector<unsigned char>& before,
                          const std::vector<unsigned char>& after) {
  TANDEM_FUZZ_CHECK(v.got != Outcome::other);
  if (v.expected_reject || !o.valid) {
    TANDEM_FUZZ_CHECK(v.got == Outcome::invalid_argument);
  } else if (v.oracle == Outcome::invalid_argument) {
    TANDEM_FUZZ_CHECK(v.got == Outcome::invalid_argument);
  } else if (!runnable(o.options)) {
    TANDEM_FUZZ_CHECK(v.got == Outcome::backend_unavailable);
  } else if (v.oracle == Outcome::ok) {
    TANDEM_FUZZ_CHECK(v.got == Outcome::ok || v.got == Outcome::out_of_memory);
  } else {
    TANDEM_FUZZ_CHECK(v.got == v.oracle);
  }
  if (v.got != Outcome::ok) {
    TANDEM_FUZZ_CHECK(before == after);
    TANDEM_FUZZ_CHECK(untouched(stats));
  } else {
    TANDEM_FUZZ_CHECK(!untouched(stats));
    if (o.options.backend && *o.options.backend != tandem::Backend::automatic) {
      TANDEM_FUZZ_CHECK(stats.backend == *o.options.backend);
    }
  }
}

/// Outputs equal to the oracle's, elementwise; every other byte of the pool unchanged.
template <class T>
void check_outputs(const ViewSpec& out, const std::vector<unsigned char>& before,
                   const std::vector<unsigned char>& got, const std::vector<unsigned char>& want) {
  const auto mask = bytes_of(out, sizeof(T));
  for (std::size_t i = 0; i < kPoolBytes; ++i) {
    if (!mask[i]) TANDEM_FUZZ_CHECK(got[i] == before[i]);
  }
  if (empty(out)) return;
  for (std::int64_t r = 0; r < out.rows; ++r) {
    for (std::int64_t c = 0; c < out.cols; ++c) {
      const std::size_t at = static_cast<std::size_t>((out.offset + r * out.ld + c) * sizeof(T));
      T a, b;
      std::memcpy(&a, got.data() + at, sizeof(T));
      std::memcpy(&b, want.data() + at, sizeof(T));
      TANDEM_FUZZ_CHECK(same_value(a, b));
    }
  }
}

/// Calls f.template operator()<T>() for the dtype the input picks.
template <class F>
void with_dtype(FuzzedDataProvider& fdp, F&& f) {
  switch (fdp.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      f.template operator()<float>();
      break;
    case 1:
      f.template operator()<double>();
      break;
    case 2:
      f.template operator()<std::int32_t>();
      break;
    default:
      f.template operator()<std::int64_t>();
      break;
  }
}

}  // namespace tandem_fuzz

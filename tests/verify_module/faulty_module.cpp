// libtandem_cuda_faulty.so: a cuda module for the verification tests. Its "device" memory is
// host memory and its workloads are plain loops, right by default; TANDEM_TEST_FAULT names a
// workload (map, matmul, polynomial_grid, mse, word_count) whose result it then gets wrong by a
// little, so that the tests can check that Options::verify / TANDEM_VERIFY catches it and leaves
// the outputs untouched. Loaded through TANDEM_CUDA_MODULE; the C table is the real module's
// (gpu/module_entry.cpp).
//
// When right, it still differs from serial where the bounds allow: f32/f64 matmul sums each
// C(i, j) in reverse order of p, and mse accumulates in long double, so verification is seen to
// accept a result that is not serial's bit for bit.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "kernels/arith.hpp"
#include "kernels/map_ops.hpp"
#include "kernels/word_bytes.hpp"
#include "module_api.hpp"

namespace tandem::cuda {

namespace {

bool faulty(std::string_view workload) {
  const char* f = std::getenv("TANDEM_TEST_FAULT");
  return f != nullptr && workload == f;
}

// Off by one unit in the last place (floats) or by one (integers).
template <class T>
T nudge(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::nextafter(v, std::numeric_limits<T>::infinity());
  } else {
    return detail::add(v, T{1});
  }
}

}  // namespace

std::string open_device() { return {}; }
std::string describe_device() { return "faulty test module (host memory)"; }

void* allocate_buffer(std::size_t bytes) {
  void* p = std::calloc(bytes == 0 ? 1 : bytes, 1);
  if (p == nullptr) fail(errc::out_of_memory, "calloc of " + std::to_string(bytes) + " bytes");
  return p;
}
void release_buffer(void* p) noexcept { std::free(p); }
void upload_bytes(void* dst, const void* src, std::size_t bytes) { std::memcpy(dst, src, bytes); }
void download_bytes(void* dst, const void* src, std::size_t bytes) { std::memcpy(dst, src, bytes); }
void trim() noexcept {}
void memory_stats(std::size_t* device_cached, std::size_t* pinned_cached,
                  std::uint64_t* device_allocations, std::uint64_t* pinned_allocations) noexcept {
  *device_cached = *pinned_cached = 0;
  *device_allocations = *pinned_allocations = 0;
}
void workload_starting(tandem::Workload) {}

double reference(int, std::int64_t, std::int64_t, std::int64_t, int) {
  fail(errc::device_error, "no references in the faulty test module");
}

void run_map(detail::MapArgs& g, bool, detail::Breakdown*) {
  detail::visit_dtype(g.dtype, [&]<class T>() {
    const T* x = static_cast<const T*>(g.x);
    T* y = static_cast<T*>(g.y);
    detail::visit_op(g.kind, static_cast<const T*>(g.params), g.nparams, [&](auto op) {
      for (std::int64_t i = 0; i < g.n; ++i) y[i] = op(x[i]);
    });
    if (g.n > 0 && faulty("map")) y[g.n / 2] = nudge(y[g.n / 2]);
  });
}

void run_matmul(detail::MatmulArgs& g, bool, detail::Breakdown*) {
  detail::visit_dtype(g.dtype, [&]<class T>() {
    const T* A = static_cast<const T*>(g.a);
    const T* B = static_cast<const T*>(g.b);
    T* C = static_cast<T*>(g.c);
    for (std::int64_t i = 0; i < g.m; ++i) {
      for (std::int64_t j = 0; j < g.n; ++j) {
        T s{0};
        for (std::int64_t p = g.k - 1; p >= 0; --p) {
          s = detail::add(s, detail::mul(A[i * g.lda + p], B[p * g.ldb + j]));
        }
        C[i * g.ldc + j] = s;
      }
    }
    if (g.m > 0 && g.n > 0 && faulty("matmul")) {
      T& c = C[(g.m / 2) * g.ldc + g.n / 2];
      if constexpr (std::is_floating_point_v<T>) {
        c = c * T(1.001) + T(1);  // far outside k·eps, whatever c is
      } else {
        c = nudge(c);
      }
    }
  });
}

void run_polynomial_grid(detail::PolynomialGridArgs& g, bool, detail::Breakdown*) {
  detail::visit_dtype(g.dtype, [&]<class T>() {
    const T* x = static_cast<const T*>(g.x);
    T* out = static_cast<T*>(g.out);
    std::vector<T> coef(static_cast<std::size_t>(g.ncoef));
    for (std::int64_t r = 0; r < g.sets; ++r) {
      if (g.table != nullptr) {
        const T* t = static_cast<const T*>(g.table) + r * g.ldt;
        for (std::int64_t c = 0; c < g.ncoef; ++c) coef[static_cast<std::size_t>(c)] = t[c];
      } else {
        std::int64_t rest = r;
        for (std::int64_t c = g.ncoef - 1; c >= 0; --c) {
          const std::int64_t size = g.axis_sizes[c];
          coef[static_cast<std::size_t>(c)] = static_cast<const T*>(g.axes[c])[rest % size];
          rest /= size;
        }
      }
      for (std::int64_t j = 0; j < g.nx; ++j) {
        out[r * g.ldo + j] = detail::horner(coef.data(), g.ncoef, x[j]);
      }
    }
    if (g.sets > 0 && g.nx > 0 && faulty("polynomial_grid")) {
      T& v = out[(g.sets - 1) * g.ldo + g.nx - 1];
      v = nudge(v);
    }
  });
}

void run_mse(detail::MseArgs& g, bool, detail::Breakdown*) {
  g.result = detail::visit_float_dtype(g.dtype, [&]<class T>() {
    const T* a = static_cast<const T*>(g.a);
    const T* b = static_cast<const T*>(g.b);
    long double sum = 0.0L;
    for (std::int64_t i = 0; i < g.n; ++i) {
      const double d = b != nullptr ? static_cast<double>(a[i]) - static_cast<double>(b[i])
                                    : static_cast<double>(a[i]);
      sum += static_cast<long double>(d * d);
    }
    const auto mean = static_cast<double>(sum / static_cast<long double>(g.n));
    return faulty("mse") ? mean * (1.0 + 1e-9) : mean;
  });
}

// sort: the NaNs last, the rest by std::sort; faulty, the smallest value nudged up (the order
// of the values is then right, but one value is not the input's).
void run_sort(detail::SortArgs& g, bool, detail::Breakdown*) {
  detail::visit_dtype(g.dtype, [&]<class T>() {
    T* x = static_cast<T*>(g.x);
    T* end = std::partition(x, x + g.n, [](T v) { return v == v; });
    std::sort(x, end);
    if (faulty("sort") && end != x) x[0] = nudge(x[0]);
  });
}

// word_count: a std::map of the folded words, then ordered; faulty: the first word counted once
// more.
void run_word_count(detail::WordCountArgs& g, bool, detail::Breakdown*) {
  std::map<std::string, std::int64_t> counts;
  std::string word;
  for (std::int64_t i = 0; i <= g.n; ++i) {
    const unsigned char c = i < g.n ? static_cast<unsigned char>(g.text[i]) : 0;
    if (i < g.n && detail::words::is_word_byte(c)) {
      word += static_cast<char>(detail::words::fold(c));
    } else if (!word.empty()) {
      ++counts[word];
      word.clear();
    }
  }
  std::vector<std::pair<std::string, std::int64_t>> order(counts.begin(), counts.end());
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& x, const auto& y) { return x.second > y.second; });
  if (!order.empty() && faulty("word_count")) ++order.front().second;
  for (const auto& [w, n] : order) g.emit(g.ctx, w.data(), w.size(), n);
}

void run_map_reduce(detail::MapReduceArgs& g, bool, detail::Breakdown*) {
  detail::visit_dtype(g.dtype, [&]<class T>() {
    const T* x = static_cast<const T*>(g.x);
    const T* p = static_cast<const T*>(g.params);
    const auto at = [&](std::int64_t i) {
      if (!g.mapped) return x[i];
      return detail::visit_op(g.kind, p, g.nparams, [&](auto op) { return op(x[i]); });
    };
    long double sum = 0.0L;
    std::uint64_t wrapped = 0;
    T best = g.n > 0 ? at(0) : T{};
    for (std::int64_t i = 0; i < g.n; ++i) {
      const T v = at(i);
      sum += static_cast<long double>(v);
      if constexpr (std::is_integral_v<T>) {
        wrapped += static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
      }
      if (g.reduce == ReduceKind::max ? v > best : v < best) best = v;
    }
    const bool off = faulty("map_reduce");
    if constexpr (std::is_integral_v<T>) {
      g.integer = g.reduce == ReduceKind::sum ? static_cast<std::int64_t>(wrapped)
                                              : static_cast<std::int64_t>(best);
      if (off) ++g.integer;
    } else {
      g.value = g.reduce == ReduceKind::sum ? static_cast<double>(sum) : static_cast<double>(best);
      if (off) g.value *= 1.0 + 1e-9;
    }
  });
}

}  // namespace tandem::cuda

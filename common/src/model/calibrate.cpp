// tandem::calibrate: measures every available backend through the public API and fits the cost
// model's coefficients.
//
// Robustness on a shared machine: every point is a warm-up call, then batches long enough for
// the clock (2 ms quick, 10 ms full) whose per-call lower quartile is taken; the backends alternate
// batch by batch at each size so that the machine's drift hits them alike. A series is fitted
// by least squares on relative error (small and large sizes count alike); the worst sizes are
// dropped while they lie far outside the rest. A fit whose rms relative error is above
// kMaxFitError has the series measured once more (keeping the faster of the two measurements of
// each size). The series is kept with its measured sizes as samples, which the cost model
// follows between them (a sort's n log n, openmp on one thread below its team's crossover: no
// line explains those), unless its coefficients are implausible: then the built-in default of
// that series stays.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <memory>
#include <type_traits>
#include <vector>

#include "checks/validate.hpp"
#include "checks/verify.hpp"
#include "model/automatic.hpp"
#include "tandem/tandem.hpp"
#include "tandem/version.hpp"
#include "workloads/workload_traits.hpp"

namespace tandem {

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kMaxFitError = 0.30;
constexpr DType kDTypes[] = {
#define TANDEM_CALIBRATE_DTYPE_(T, name) DType::name,
    TANDEM_FOR_EACH_DTYPE(TANDEM_CALIBRATE_DTYPE_)
#undef TANDEM_CALIBRATE_DTYPE_
};

struct Settings {
  double batch_seconds;
  int batches;
};

struct Point {
  double work = 0, bytes = 0;
  double seconds = 0;       // median wall time per call
  double h2d = 0, d2h = 0;  // cuda: median host<->device copy seconds per call
};

// One call of a workload at one size (its traits' sample call), on a given backend; its work
// and bytes as dispatch counts them. Holds its operands.
struct Job {
  double work = 0, bytes = 0;
  std::function<void(const Options&)> call;
};

Job job(Workload w, DType d, std::int64_t n) {
  SampleCall s = sample_call(w, d, WorkloadSize{n});
  return {s.problem.work, s.problem.bytes, std::move(s.run)};
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 != 0 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// Interference (another process, a descheduled thread) only ever slows a batch down: the lower
// quartile of the batches is the machine's undisturbed speed, yet no single lucky batch.
double lower_quartile(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[(v.size() - 1) / 4];
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// What is measured: a backend, and for openmp its default team or one thread of it.
struct Variant {
  Backend backend;
  bool one_thread = false;
};

// The options a variant is measured with: openmp's team asked for by number, so that a busy
// moment cannot make it back off to one thread (dispatch/busy_learner.hpp) while its
// coefficients are measured.
Options measured_on(const Variant& v) {
  Options o{.backend = v.backend};
  if (v.backend == Backend::openmp) {
    o.threads = v.one_thread ? 1 : backend_info(Backend::openmp).threads;
  }
  return o;
}

// Measures one job on several variants, alternating batches. Returns a point per variant.
std::vector<Point> measure(const Job& j, const std::vector<Variant>& backends, const Settings& s) {
  const std::size_t nb = backends.size();
  std::vector<int> reps(nb, 1);
  for (std::size_t i = 0; i < nb; ++i) {
    const Options o = measured_on(backends[i]);
    j.call(o);  // warm-up: page faults, thread teams, BLAS buffers
    // Calls per batch: from a run of calls at least an eighth of a batch long (the first call
    // after a warm-up can take 100 times a hot one: a batch sized on it would be too short,
    // and time the waking of the team rather than the calls).
    double once = 0;
    for (int k = 1;; k *= 2) {
      const auto t0 = Clock::now();
      for (int r = 0; r < k; ++r) j.call(o);
      const double took = seconds_since(t0);
      once = std::max(took / k, 1e-9);
      if (took >= s.batch_seconds / 8 || k >= (1 << 16)) break;
    }
    reps[i] = static_cast<int>(std::clamp(s.batch_seconds / once, 1.0, 1e5));
  }
  std::vector<std::vector<double>> per_call(nb), h2d(nb), d2h(nb);
  for (int batch = 0; batch < s.batches; ++batch) {
    for (std::size_t i = 0; i < nb; ++i) {
      const Options o = measured_on(backends[i]);
      const auto t0 = Clock::now();
      for (int r = 0; r < reps[i]; ++r) j.call(o);
      per_call[i].push_back(seconds_since(t0) / reps[i]);
      if (backends[i].backend == Backend::cuda) {  // the copies, from the backend's own events
        Stats st;
        j.call({.backend = Backend::cuda, .stats = &st});
        h2d[i].push_back(st.host_to_device_seconds);
        d2h[i].push_back(st.device_to_host_seconds);
      }
    }
  }
  std::vector<Point> out(nb);
  for (std::size_t i = 0; i < nb; ++i) {
    out[i] = {j.work, j.bytes, lower_quartile(per_call[i]), median(h2d[i]), median(d2h[i])};
  }
  return out;
}

struct Fit {
  double a = 0, b = 0, error = 0;
  int kept = 0, rejected = 0;
};

// t = a + b·w by least squares on relative residuals, a and b non-negative.
Fit fit_once(const std::vector<double>& w, const std::vector<double>& t) {
  double s00 = 0, s01 = 0, s11 = 0, r0 = 0, r1 = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double q = 1.0 / (t[i] * t[i]);
    s00 += q;
    s01 += q * w[i];
    s11 += q * w[i] * w[i];
    r0 += q * t[i];
    r1 += q * w[i] * t[i];
  }
  Fit f;
  const double det = s00 * s11 - s01 * s01;
  if (det > 0) {
    f.a = (r0 * s11 - r1 * s01) / det;
    f.b = (s00 * r1 - s01 * r0) / det;
  }
  if (det <= 0 || f.a < 0) {
    f.a = 0;
    f.b = s11 > 0 ? r1 / s11 : 0;
  }
  if (f.b < 0) {
    f.b = 0;
    f.a = r0 / s00;
  }
  double sq = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double r = (f.a + f.b * w[i] - t[i]) / t[i];
    sq += r * r;
  }
  f.error = std::sqrt(sq / static_cast<double>(w.size()));
  f.kept = static_cast<int>(w.size());
  return f;
}

// Drops the worst point while it is far off the others (a descheduled run, a cache cliff),
// keeping at least 5 points and dropping at most 2.
Fit fit(std::vector<double> w, std::vector<double> t) {
  Fit f = fit_once(w, t);
  int rejected = 0;
  while (rejected < 2 && w.size() > 5) {
    std::vector<double> res(w.size());
    for (std::size_t i = 0; i < w.size(); ++i) res[i] = std::fabs((f.a + f.b * w[i] - t[i]) / t[i]);
    const auto worst =
        static_cast<std::size_t>(std::max_element(res.begin(), res.end()) - res.begin());
    if (res[worst] < 0.15 || res[worst] < 3 * median(res)) break;
    w.erase(w.begin() + static_cast<std::ptrdiff_t>(worst));
    t.erase(t.begin() + static_cast<std::ptrdiff_t>(worst));
    f = fit_once(w, t);
    ++rejected;
  }
  f.rejected = rejected;
  return f;
}

// The measured sizes of an accepted series, which the cost model follows between them
// (detail::series_seconds): sorted by work, one per work (the faster), and no sample slower than
// a larger one — a disturbed size only ever measures slower, and more work never takes less
// time, so the larger size bounds it. At most kMaxSamples, spread evenly, both ends kept.
void set_samples(const std::vector<double>& work, const std::vector<double>& seconds,
                 detail::Coefficients* c) {
  std::vector<detail::Sample> s;
  for (std::size_t i = 0; i < work.size(); ++i) {
    if (work[i] > 0 && detail::plausible_sample_seconds(seconds[i]))
      s.push_back({work[i], seconds[i]});
  }
  std::sort(s.begin(), s.end(), [](const detail::Sample& a, const detail::Sample& b) {
    return a.work < b.work || (a.work == b.work && a.seconds < b.seconds);
  });
  s.erase(std::unique(
              s.begin(), s.end(),
              [](const detail::Sample& a, const detail::Sample& b) { return a.work == b.work; }),
          s.end());
  for (std::size_t i = s.size(); i-- > 1;)
    s[i - 1].seconds = std::min(s[i - 1].seconds, s[i].seconds);
  const std::size_t n = std::min<std::size_t>(s.size(), detail::kMaxSamples);
  c->sample_count = static_cast<int>(n);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t from = n == 1 ? 0 : k * (s.size() - 1) / (n - 1);
    c->samples[k] = s[from];
  }
}

// The work up to which one thread of openmp beats its team: none when the team is faster at
// every size; else halfway (in log work) between the largest size the team loses and the next,
// from which it wins at every larger size; the largest size if it never wins.
double one_thread_up_to(const std::vector<double>& work, const std::vector<double>& team,
                        const std::vector<Point>& one) {
  std::size_t from = work.size();  // the team wins at `from` and above
  while (from > 0 && team[from - 1] <= one[from - 1].seconds) --from;
  if (from == 0) return 0;
  if (from == work.size()) return work.back();
  return std::sqrt(work[from - 1] * work[from]);
}

// Bandwidth from copy seconds against bytes (slope of a line through the points).
double bandwidth(const std::vector<std::pair<double, double>>& pts, double fallback) {
  if (pts.size() < 3) return fallback;
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (auto [x, y] : pts) {
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double det = n * sxx - sx * sx;
  const double slope = det > 0 ? (n * sxy - sx * sy) / det : 0;
  return slope > 0 ? 1.0 / slope : fallback;
}

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

CalibrationResult calibrate(const CalibrationOptions& options) {
  const auto start = Clock::now();
  const Settings settings = options.quick ? Settings{2e-3, 9} : Settings{10e-3, 15};
  const detail::MachineKey& machine = detail::this_machine();
  const detail::Profile defaults = detail::builtin_profile(machine);
  detail::Profile profile = defaults;
  profile.created = now_utc();
  profile.version = version();
  profile.quick = options.quick;

  std::string path = options.path;
  if (path.empty()) {
    const char* env = std::getenv("TANDEM_PROFILE");
    path = env != nullptr && *env != '\0' ? env : default_profile_path();
  }
  if (path.empty()) {
    throw invalid_argument(
        "tandem::calibrate: nowhere to save the profile (set TANDEM_PROFILE, "
        "XDG_CACHE_HOME or HOME)");
  }
  // TANDEM_VERIFY=1 would add a serial run to every measured call: the profile would describe
  // the check, not the backends.
  if (detail::verification_requested("tandem::calibrate", Options{})) {
    throw invalid_argument(
        "tandem::calibrate: TANDEM_VERIFY=1 makes every call also run on serial, so the "
        "measurements would time the check too; unset TANDEM_VERIFY to calibrate");
  }
  // Before measuring: a minute of work must not end in "cannot write".
  if (const std::string why = detail::profile_path_problem(path); !why.empty()) {
    throw invalid_argument("tandem::calibrate: cannot save the profile: " +
                           detail::printable("'" + path + "' " + why));
  }

  std::vector<Backend> cpu;
  bool has_cuda = false;
  for (Backend b : available_backends()) {
    if (b == Backend::cuda) {
      has_cuda = true;
    } else {
      cpu.push_back(b);
    }
  }
  std::vector<Variant> big{{Backend::cuda}};  // the sizes only a GPU run needs
  if (backend_info(Backend::openmp).available) big.insert(big.begin(), {Backend::openmp});

  CalibrationResult result;
  result.path = path;
  result.machine = machine.str();
  std::vector<std::pair<double, double>> h2d_pts, d2h_pts;

  // A series' times; cuda's after removing the predicted copies, which the model adds back.
  const auto series_times = [&](Backend b, Workload w, DType d, const std::vector<Point>& pts) {
    std::vector<double> t;
    for (const Point& p : pts) {
      const detail::Shape s{{w, d, p.work, p.bytes, false}, false};
      const double transfer =
          b == Backend::cuda ? detail::predict(profile, b, s).transfer_seconds : 0.0;
      t.push_back(std::max(p.seconds - transfer, 0.05 * p.seconds));
    }
    return t;
  };
  // Fits one series.
  const auto fit_series = [&](Backend b, Workload w, DType d, const std::vector<Point>& pts) {
    std::vector<double> work;
    for (const Point& p : pts) work.push_back(p.work);
    const Fit f = fit(work, series_times(b, w, d, pts));
    // A CPU backend whose fixed cost comes out 20x the built-in one measured a busy machine
    // (an OpenMP team waiting for a descheduled thread costs milliseconds), not tandem.
    const detail::Coefficients& builtin = defaults.at(b, w, d);
    // And coefficients outside the bounds a profile file may hold would make it corrupt.
    const bool plausible = (b == Backend::cuda || f.a <= 20 * builtin.overhead) &&
                           detail::plausible_overhead(f.a) && detail::plausible_per_unit(f.b);
    return CalibrationEntry{
        b, w, d, f.a, f.b, f.error, static_cast<int>(pts.size()), f.rejected, plausible};
  };
  // `one`: openmp's points on one thread, at the same sizes as the team's `pts`.
  const auto keep = [&](const CalibrationEntry& e, const std::vector<Point>& pts,
                        const std::vector<Point>* one) {
    if (e.accepted) {
      detail::Coefficients& c = profile.at(e.backend, e.workload, e.dtype);
      c = {e.overhead_seconds, e.seconds_per_unit, true, e.fit_error, e.points};
      std::vector<double> work, seconds = series_times(e.backend, e.workload, e.dtype, pts);
      for (const Point& p : pts) work.push_back(p.work);
      if (one != nullptr && one->size() == pts.size()) {
        c.one_thread_up_to = one_thread_up_to(work, seconds, *one);
        for (std::size_t k = 0; k < pts.size(); ++k) {
          if (work[k] <= c.one_thread_up_to) seconds[k] = std::min(seconds[k], (*one)[k].seconds);
        }
      }
      set_samples(work, seconds, &c);
    }
    result.entries.push_back(e);
    if (options.progress) {
      char line[200];
      std::snprintf(
          line, sizeof line, "%-7s %-16s %-4s overhead %9s  per unit %10s  fit error %5.1f%%%s",
          std::string(to_string(e.backend)).c_str(), std::string(to_string(e.workload)).c_str(),
          std::string(to_string(e.dtype)).c_str(),
          detail::format_seconds(e.overhead_seconds).c_str(),
          detail::format_seconds(e.seconds_per_unit).c_str(), 100 * e.fit_error,
          e.accepted ? "" : "  (rejected: the built-in default stays)");
      options.progress(line);
    }
  };

  // The variants measured at every size: the CPU backends, openmp's team also on one thread
  // (the faster of the two runs: detail::Coefficients::one_thread_up_to), and cuda.
  std::vector<Variant> all;
  for (Backend b : cpu) all.push_back({b});
  const bool team =
      backend_info(Backend::openmp).available && backend_info(Backend::openmp).threads > 1;
  if (team) all.push_back({Backend::openmp, true});
  if (has_cuda) all.push_back({Backend::cuda});
  const auto one_thread_points = [](const std::vector<Variant>& vars,
                                    const std::vector<std::vector<Point>>& pts) {
    for (std::size_t i = 0; i < vars.size(); ++i) {
      if (vars[i].one_thread) return &pts[i];
    }
    return static_cast<const std::vector<Point>*>(nullptr);
  };
  std::vector<Point> cuda_points[detail::kModelWorkloads][detail::kModelDTypes];
  for (Workload w : kAllWorkloads) {
    const detail::WorkloadTraits& traits = detail::traits(w);
    for (DType d : kDTypes) {
      if (!traits.has_dtype(d)) continue;
      const auto wi = static_cast<std::size_t>(w), di = static_cast<std::size_t>(d);
      // BLAS's GEMM (f32, f64) sizes its own team: OpenBLAS already runs small products on one
      // thread, and switching its thread count between calls costs more than it saves.
      const bool blas = w == Workload::matmul && (d == DType::f32 || d == DType::f64);
      std::vector<Variant> vars;
      for (const Variant& v : all) {
        if (!(blas && v.one_thread)) vars.push_back(v);
      }
      // points[variant][size]
      std::vector<std::vector<Point>> pts(vars.size());
      const std::vector<std::int64_t> sizes = traits.cpu_sizes(options.quick);
      for (int attempt = 0; attempt < 2; ++attempt) {
        for (std::size_t k = 0; k < sizes.size(); ++k) {
          const std::vector<Point> p = measure(job(w, d, sizes[k]), vars, settings);
          for (std::size_t i = 0; i < vars.size(); ++i) {
            if (attempt == 0) {
              pts[i].push_back(p[i]);
            } else if (p[i].seconds < pts[i][k].seconds) {
              pts[i][k] = p[i];  // a disturbed measurement is only ever slower
            }
          }
        }
        bool explained = true;
        for (std::size_t i = 0; i < vars.size(); ++i) {
          if (vars[i].backend != Backend::cuda && !vars[i].one_thread) {
            const CalibrationEntry e = fit_series(vars[i].backend, w, d, pts[i]);
            explained &= e.accepted && e.fit_error <= kMaxFitError;
          }
        }
        if (explained || attempt == 1) break;
        if (options.progress) {
          options.progress("measuring " + std::string(to_string(w)) + " " +
                           std::string(to_string(d)) +
                           " again: a fit did not explain its points or was implausible");
        }
      }
      for (std::size_t i = 0; i < vars.size(); ++i) {
        if (vars[i].backend == Backend::cuda) {
          cuda_points[wi][di] = pts[i];
        } else if (!vars[i].one_thread) {
          keep(fit_series(vars[i].backend, w, d, pts[i]), pts[i],
               vars[i].backend == Backend::openmp ? one_thread_points(vars, pts) : nullptr);
        }
      }
      if (has_cuda) {
        for (std::int64_t n : traits.gpu_sizes()) {
          const std::vector<Point> p = measure(job(w, d, n), big, settings);
          cuda_points[wi][di].push_back(p.back());  // cuda is last in `big`
        }
        for (const Point& p : cuda_points[wi][di]) {
          const double in = detail::input_fraction(w);
          if (p.h2d > 0) h2d_pts.emplace_back(p.bytes * in, p.h2d);
          if (p.d2h > 0 && in < 1) d2h_pts.emplace_back(p.bytes * (1 - in), p.d2h);
        }
      }
    }
  }
  if (has_cuda) {
    profile.h2d = bandwidth(h2d_pts, profile.h2d);
    profile.d2h = bandwidth(d2h_pts, profile.d2h);
    if (!detail::plausible_bandwidth(profile.h2d)) profile.h2d = defaults.h2d;
    if (!detail::plausible_bandwidth(profile.d2h)) profile.d2h = defaults.d2h;
    profile.transfer_measured = true;
    result.host_to_device_bytes_per_second = profile.h2d;
    result.device_to_host_bytes_per_second = profile.d2h;
    for (Workload w : kAllWorkloads) {
      for (DType d : kDTypes) {
        const auto& pts = cuda_points[static_cast<std::size_t>(w)][static_cast<std::size_t>(d)];
        if (!pts.empty()) keep(fit_series(Backend::cuda, w, d, pts), pts, nullptr);
      }
    }
  }

  const std::string failed = detail::save_profile_file(path, profile);
  // An I/O failure after the path was accepted: errc::device_error ("a system call failed") is
  // the nearest of tandem's codes; the message says what failed.
  if (!failed.empty()) {
    throw device_error("tandem::calibrate: cannot save the profile: " + detail::printable(failed));
  }
  detail::install_model(profile, path);
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace tandem

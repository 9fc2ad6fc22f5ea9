#include "model/cost_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <utility>

#include "workloads/workload_traits.hpp"

namespace tandem::detail {

namespace {

constexpr Backend kBackends[] = {Backend::serial, Backend::openmp, Backend::cuda};
constexpr DType kDTypes[] = {
#define TANDEM_DTYPE_VALUE_(T, name) DType::name,
    TANDEM_FOR_EACH_DTYPE(TANDEM_DTYPE_VALUE_)
#undef TANDEM_DTYPE_VALUE_
};

}  // namespace

double input_fraction(tandem::Workload w) { return traits(w).input_fraction; }

Profile builtin_profile(const MachineKey& machine) {
  Profile p;
  p.machine = machine;
  const double threads = std::max(1, machine.threads);
  // Per-unit work divides among threads; a fork/join grows with the log of the team.
  const double unit_scale = 2.0 / threads;
  const double overhead_scale = std::max(1.0, std::log2(threads));
  for (tandem::Workload w : tandem::kAllWorkloads) {
    const WorkloadTraits& t = traits(w);
    for (DType d : kDTypes) {
      if (!t.has_dtype(d)) continue;
      const Default s = t.serial_default(d), o = t.openmp_default(d), c = t.cuda_default(d);
      p.at(Backend::serial, w, d) = {s.overhead, s.per_unit};
      Coefficients& omp = p.at(Backend::openmp, w, d);
      omp = {o.overhead * overhead_scale, o.per_unit * unit_scale};
      // One thread of the team: no fork (serial's fixed cost), the 2-core cost per unit twice
      // over; it runs the calls up to where the team's line crosses it. Not for BLAS's GEMM
      // (f32, f64), which sizes its own team.
      const bool blas = w == tandem::Workload::matmul && (d == DType::f32 || d == DType::f64);
      if (threads > 1 && !blas) {
        omp.one_thread_overhead = s.overhead;
        omp.one_thread_per_unit = 2.0 * o.per_unit;
        if (omp.one_thread_per_unit > omp.per_unit && omp.overhead > omp.one_thread_overhead) {
          omp.one_thread_up_to =
              (omp.overhead - omp.one_thread_overhead) / (omp.one_thread_per_unit - omp.per_unit);
        }
      }
      p.at(Backend::cuda, w, d) = {c.overhead, c.per_unit};
    }
  }
  p.h2d = 12e9;
  p.d2h = 12e9;
  return p;
}

const Coefficients& series_of(const Profile& p, Backend b, tandem::Workload w, DType d) {
  return p.at(b, w, workload_has_dtype(w, d) ? d : DType::f64);
}

double series_seconds(const Coefficients& c, double work) {
  const auto affine = [&c](double w) { return c.overhead + c.per_unit * w; };
  const int n = c.sample_count;
  if (on_one_thread_line(c, work)) return c.one_thread_overhead + c.one_thread_per_unit * work;
  if (n <= 0 || !(work >= 0)) return affine(work);
  const Sample* s = c.samples.data();
  // Outside the samples: the affine fit's shape through the nearest one.
  const auto through = [&](const Sample& at) {
    const double base = affine(at.work);
    return base > 0 ? at.seconds * (affine(work) / base) : at.seconds * (work / at.work);
  };
  if (work <= s[0].work) return through(s[0]);
  if (work >= s[n - 1].work) return through(s[n - 1]);
  int i = 0;
  while (s[i + 1].work < work) ++i;  // s[i].work < work <= s[i + 1].work
  const double x = std::log(work / s[i].work) / std::log(s[i + 1].work / s[i].work);
  return s[i].seconds * std::pow(s[i + 1].seconds / s[i].seconds, x);
}

Prediction predict(const Profile& p, Backend b, const Shape& s) {
  Prediction r;
  r.backend = b;
  const Coefficients& c = series_of(p, b, s.workload, s.dtype);
  r.calibrated = c.measured;
  const double total = series_seconds(c, s.work);
  // Compute is the per-unit part of the line in use (at most the total), overhead the rest.
  const double per_unit = on_one_thread_line(c, s.work) ? c.one_thread_per_unit : c.per_unit;
  r.compute_seconds = std::min(per_unit * s.work, total);
  r.overhead_seconds = total - r.compute_seconds;
  if (b == Backend::cuda && !s.device) {
    const double in = input_fraction(s.workload);
    r.transfer_seconds = s.bytes * (in / p.h2d + (1.0 - in) / p.d2h);
  }
  r.seconds = r.overhead_seconds + r.compute_seconds + r.transfer_seconds;
  return r;
}

Backend choose_fast(const Profile& p, const Shape& s, const Availability& a) {
  if (s.device) return Backend::cuda;
  Backend best = Backend::automatic;
  double best_t = 0;
  for (Backend b : kBackends) {
    const auto i = static_cast<std::size_t>(b);
    if (!a.can[i]) continue;
    const double t = predict(p, b, s).seconds;
    if (best == Backend::automatic || t < best_t) {
      best = b;
      best_t = t;
    }
  }
  return best;
}

std::string format_seconds(double s) {
  char buf[32];
  const double a = std::fabs(s);
  if (a < 1e-6) {
    std::snprintf(buf, sizeof buf, "%.3g ns", s * 1e9);
  } else if (a < 1e-3) {
    std::snprintf(buf, sizeof buf, "%.3g us", s * 1e6);
  } else if (a < 1) {
    std::snprintf(buf, sizeof buf, "%.3g ms", s * 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g s", s);
  }
  return buf;
}

Choice choose(const Profile& p, const Shape& s, const Availability& a, bool from_profile) {
  Choice c;
  for (Backend b : kBackends) {
    const auto i = static_cast<std::size_t>(b);
    Prediction& pr = c.predictions[i];
    pr = predict(p, b, s);
    pr.available = a.can[i] && (!s.device || b == Backend::cuda);
    pr.why_not = a.can[i] ? (pr.available ? "" : "works on host memory") : a.why_not[i];
  }
  std::ostringstream why;
  why << to_string(s.workload);
  if (!s.cpu_only) why << " " << to_string(s.dtype);
  why << " work " << s.work << ": ";
  if (s.device) {
    c.choice = a.can[static_cast<std::size_t>(Backend::cuda)] ? Backend::cuda : Backend::automatic;
    why << "operands in GPU memory, only cuda reads them";
    if (c.choice == Backend::cuda) {
      why << " (predicted "
          << format_seconds(c.predictions[static_cast<std::size_t>(Backend::cuda)].seconds) << ")";
    } else {
      why << ", and cuda is unavailable: " << a.why_not[static_cast<std::size_t>(Backend::cuda)];
    }
  } else {
    c.choice = choose_fast(p, s, a);
    if (c.choice == Backend::automatic) {
      why << "no available backend";
    } else {
      why << c.choice << " "
          << format_seconds(c.predictions[static_cast<std::size_t>(c.choice)].seconds);
      // The others, fastest first: what the choice beat.
      std::array<const Prediction*, kModelBackends> rest{};
      std::size_t n = 0;
      for (const Prediction& pr : c.predictions) {
        if (pr.backend != c.choice && pr.available) rest[n++] = &pr;
      }
      for (std::size_t i = 1; i < n; ++i) {  // insertion sort of at most two
        for (std::size_t k = i; k > 0 && rest[k]->seconds < rest[k - 1]->seconds; --k) {
          std::swap(rest[k], rest[k - 1]);
        }
      }
      for (std::size_t i = 0; i < n; ++i) {
        why << " <= " << rest[i]->backend << " " << format_seconds(rest[i]->seconds);
      }
      for (const Prediction& pr : c.predictions) {
        if (!a.can[static_cast<std::size_t>(pr.backend)])
          why << ", " << pr.backend << " unavailable";
      }
    }
  }
  why << " (" << (from_profile ? "calibrated profile" : "built-in defaults") << ")";
  c.reason = why.str();
  return c;
}

}  // namespace tandem::detail

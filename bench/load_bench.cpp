// tandem_load_bench: the "no cliff when the cores are busy" scenario. Every core runs a bounded
// busy loop in a child process (as other users' jobs would), and mse and map are timed on
// serial, openmp (its default team, which backs off on busy cores, and "openmp_team", the team
// asked for by number, which does not) and automatic at 1e4 .. 1e7 elements: the mean and the
// 99th percentile per call over a fixed time per point, idle first and then loaded. Writes JSON
// for bench/report.py.
//
//   tandem_load_bench --out load.json [--seconds S]   (S per point and mode, default 0.4)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tandem/tandem.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// One busy child per core, each stopping by itself after `limit` seconds at the latest.
std::vector<pid_t> start_load(unsigned cores, double limit) {
  std::vector<pid_t> kids;
  for (unsigned i = 0; i < cores; ++i) {
    const pid_t pid = fork();
    if (pid == 0) {
      const auto t0 = Clock::now();
      volatile double x = 1.0;
      while (seconds_since(t0) < limit) {
        for (int k = 0; k < 100000; ++k) x = x * 1.0000001 + 1e-9;
      }
      _exit(0);
    }
    if (pid > 0) kids.push_back(pid);
  }
  return kids;
}

void stop_load(const std::vector<pid_t>& kids) {
  for (pid_t p : kids) kill(p, SIGKILL);
  for (pid_t p : kids) waitpid(p, nullptr, 0);
}

struct Point {
  std::string workload, backend, mode;
  long long n = 0;
  double mean = 0, p99 = 0;
  long long calls = 0;
};

template <class F>
Point measure(F&& call, double budget) {
  std::vector<double> t;
  call();  // warm-up
  const auto start = Clock::now();
  // At least 16 calls (a mean of fewer says little under load), within 4 budgets.
  for (double spent = 0;
       (spent < budget || t.size() < 16) && spent < 4 * budget && t.size() < 200000;
       spent = seconds_since(start)) {
    const auto c = Clock::now();
    call();
    t.push_back(seconds_since(c));
  }
  Point p;
  p.calls = static_cast<long long>(t.size());
  double sum = 0;
  for (double v : t) sum += v;
  p.mean = sum / static_cast<double>(t.size());
  std::sort(t.begin(), t.end());
  p.p99 = t[std::min(t.size() - 1, t.size() * 99 / 100)];
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out;
  double budget = 0.4;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--out" && i + 1 < argc) {
      out = argv[++i];
    } else if (a == "--seconds" && i + 1 < argc) {
      budget = std::strtod(argv[++i], nullptr);
      if (!(budget > 0 && budget <= 60)) {
        std::fprintf(stderr, "tandem_load_bench: --seconds must be in (0, 60]\n");
        return 2;
      }
    } else {
      std::fprintf(stderr, "usage: tandem_load_bench --out FILE [--seconds S]\n");
      return 2;
    }
  }
  if (out.empty()) {
    std::fprintf(stderr, "usage: tandem_load_bench --out FILE [--seconds S]\n");
    return 2;
  }
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::vector<long long> sizes{10000, 100000, 1000000, 10000000};
  // "openmp_team": openmp with its team asked for by number (Options::threads), which does not
  // back off on busy cores: the cliff that automatic and the default team avoid.
  struct Variant {
    tandem::Backend backend;
    const char* name;
    int threads;
  };
  const int team = tandem::backend_info(tandem::Backend::openmp).threads;
  const std::vector<Variant> backends{{tandem::Backend::serial, "serial", 0},
                                      {tandem::Backend::openmp, "openmp", 0},
                                      {tandem::Backend::openmp, "openmp_team", team},
                                      {tandem::Backend::automatic, "automatic", 0}};
  const std::vector<tandem::Backend> available = tandem::available_backends();
  std::vector<Point> points;
  for (const char* mode : {"idle", "loaded"}) {
    const bool loaded = std::strcmp(mode, "loaded") == 0;
    // Bounded: every child stops by itself even if this process dies first.
    const double limit = 2.0 * budget * static_cast<double>(sizes.size() * backends.size()) + 30;
    const std::vector<pid_t> kids = loaded ? start_load(cores, limit) : std::vector<pid_t>{};
    for (long long n : sizes) {
      std::vector<double, tandem::allocator<double>> x(static_cast<std::size_t>(n), 0.5);
      std::vector<double, tandem::allocator<double>> y(static_cast<std::size_t>(n));
      for (const Variant& v : backends) {
        const tandem::Backend b = v.backend;
        if (b != tandem::Backend::automatic &&
            std::find(available.begin(), available.end(), b) == available.end()) {
          continue;
        }
        const tandem::Options o{.backend = b, .threads = v.threads};
        Point m = measure([&] { (void)tandem::mse(std::span<const double>(x), o); }, budget);
        m.workload = "mse";
        Point p = measure(
            [&] {
              tandem::map(std::span<const double>(x), std::span<double>(y),
                          tandem::MapOp::scale(2.0), o);
            },
            budget);
        p.workload = "map";
        for (Point* q : {&m, &p}) {
          q->backend = v.name;
          q->mode = mode;
          q->n = n;
          points.push_back(*q);
          std::printf("%-6s %-4s %-9s n=%-9lld mean %.3g s  p99 %.3g s  (%lld calls)\n", mode,
                      q->workload.c_str(), q->backend.c_str(), n, q->mean, q->p99, q->calls);
        }
      }
    }
    stop_load(kids);
  }
  std::ofstream f(out);
  f << "{\"cores\": " << cores << ", \"seconds_per_point\": " << budget << ", \"points\": [\n";
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    f << "  {\"workload\": \"" << p.workload << "\", \"backend\": \"" << p.backend
      << "\", \"mode\": \"" << p.mode << "\", \"n\": " << p.n << ", \"mean\": " << p.mean
      << ", \"p99\": " << p.p99 << ", \"calls\": " << p.calls << "}"
      << (i + 1 < points.size() ? ",\n" : "\n");
  }
  f << "]}\n";
  if (!f) {
    std::fprintf(stderr, "tandem_load_bench: cannot write %s\n", out.c_str());
    return 1;
  }
  return 0;
}

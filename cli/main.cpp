// tandem: the command-line tool. info, run, plan, calibrate, bench; --help on each.
// Errors are one line on stderr and a non-zero exit (2: usage, 1: the library refused).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "tandem/tandem.hpp"

namespace {

struct Usage {
  std::string message;
};

constexpr const char* kMainHelp = R"(usage: tandem <command> [options]

The same compute workloads on CPU cores or GPUs, backend chosen at run time.

commands:
  info        build options, backends available (and why not), threads, GPU, profile in use
  run         run one call and print its result checksum, time and time breakdown
  plan        the cost model's predicted time per backend and what automatic picks
  calibrate   measure this machine and save the profile automatic uses
  bench       the comparative benchmark and its report (scripts/bench.sh of the source tree)

Run 'tandem <command> --help' for a command's options.
)";

constexpr const char* kInfoHelp = R"(usage: tandem info

Prints tandem's version and build options, every backend with its availability (or why it is
unavailable), threads and device, the machine key, and the profile automatic uses.
)";

constexpr const char* kRunHelp =
    R"(usage: tandem run <workload> [--n N] [--backend B] [--dtype D] [--threads T]
                            [--repeat R] [--nx X] [--ncoef C]

Runs one call R times on generated data and prints the checksum of its result, the median
time and its breakdown (allocation, host to device, compute, device to host).

  workload      map (y = 2x), matmul (n x n times n x n), polynomial_grid (n parameter sets
                of a Cartesian grid at X points), mse (mean of e^2)
  --n N         problem size (default: map, mse 1048576; matmul 256; polynomial_grid 10000)
  --backend B   serial, openmp, cuda or automatic (default: as a call without options)
  --dtype D     f32, f64, i32 or i64 (mse: f32, f64; default f64)
  --threads T   OpenMP threads (0 = OpenMP's default)
  --repeat R    calls to time (default 5); the first call's one-time costs are included in none
  --nx X        polynomial_grid: x points (default 50)
  --ncoef C     polynomial_grid: coefficients per polynomial (default 4)
)";

constexpr const char* kPlanHelp =
    R"(usage: tandem plan <workload> --n N [--dtype D] [--device] [--nx X] [--ncoef C]

Prints the cost model's predicted time on every backend (overhead, compute, transfer), which
backends are unavailable and why, and the one automatic picks. Sizes as for 'tandem run';
--device predicts for operands already in GPU memory (only cuda can run those).
)";

constexpr const char* kCalibrateHelp = R"(usage: tandem calibrate [--quick | --full] [--out FILE]

Measures every available backend on every workload and dtype (warm-up, batched medians,
outlier rejection, a check of each fit), prints the fitted coefficients and saves the profile
that automatic loads: FILE, else $TANDEM_PROFILE, else the default path under
$XDG_CACHE_HOME/tandem (or ~/.cache/tandem). --quick (default) takes under a minute on 2 cores;
--full measures more sizes with longer batches.
)";

constexpr const char* kBenchHelp = R"(usage: tandem bench [--quick | --full] [--out DIR]

Runs the comparative benchmark: scripts/bench.sh of the source tree this tandem was built from
(it builds the bench preset, calibrates into DIR/profile.json unless TANDEM_PROFILE is set,
runs every workload and backend, automatic with the profile and with the built-in defaults,
the notebooks side by side, and writes DIR/report.md). Default: --quick --out build/report.
)";

bool is_help(std::string_view a) { return a == "--help" || a == "-h" || a == "help"; }

// Options of the form --name value; flags listed in `flags` take no value.
std::map<std::string, std::string> parse_options(const std::vector<std::string>& args,
                                                 std::size_t from,
                                                 const std::vector<std::string>& valued,
                                                 const std::vector<std::string>& flags) {
  std::map<std::string, std::string> out;
  for (std::size_t i = from; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
      out[a] = "1";
    } else if (std::find(valued.begin(), valued.end(), a) != valued.end()) {
      if (i + 1 >= args.size()) throw Usage{a + " needs a value"};
      out[a] = args[++i];
    } else {
      throw Usage{"unknown option '" + a + "'"};
    }
  }
  return out;
}

std::int64_t to_int(const std::map<std::string, std::string>& o, const std::string& key,
                    std::int64_t fallback, std::int64_t min) {
  const auto it = o.find(key);
  if (it == o.end()) return fallback;
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(it->second, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != it->second.size() || used == 0 || v < min) {
    throw Usage{key + " must be an integer >= " + std::to_string(min) + ", not '" + it->second +
                "'"};
  }
  return v;
}

tandem::DType parse_dtype(const std::string& s) {
  for (tandem::DType d :
       {tandem::DType::f32, tandem::DType::f64, tandem::DType::i32, tandem::DType::i64}) {
    if (tandem::to_string(d) == s) return d;
  }
  throw Usage{"'" + s + "' is not a dtype (valid: f32, f64, i32, i64)"};
}

std::string seconds(double s) {
  char buf[32];
  if (s < 1e-6) {
    std::snprintf(buf, sizeof buf, "%.3g ns", s * 1e9);
  } else if (s < 1e-3) {
    std::snprintf(buf, sizeof buf, "%.3g us", s * 1e6);
  } else if (s < 1) {
    std::snprintf(buf, sizeof buf, "%.3g ms", s * 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g s", s);
  }
  return buf;
}

// The workload, size and dtype of run and plan.
struct Spec {
  tandem::Workload workload;
  tandem::DType dtype;
  std::int64_t n, nx, ncoef;
};

Spec parse_spec(const std::vector<std::string>& args, const std::map<std::string, std::string>& o,
                bool need_n) {
  if (args.size() < 3 || args[2].rfind("--", 0) == 0) throw Usage{"name a workload"};
  Spec s{};
  s.workload = tandem::parse_workload(args[2]);
  s.dtype = o.count("--dtype") != 0 ? parse_dtype(o.at("--dtype")) : tandem::DType::f64;
  if (s.workload == tandem::Workload::mse && s.dtype != tandem::DType::f32 &&
      s.dtype != tandem::DType::f64) {
    throw Usage{"mse takes f32 or f64"};
  }
  if (need_n && o.count("--n") == 0) throw Usage{"--n is required"};
  const std::int64_t fallback = s.workload == tandem::Workload::matmul            ? 256
                                : s.workload == tandem::Workload::polynomial_grid ? 10000
                                                                                  : 1 << 20;
  s.n = to_int(o, "--n", fallback, s.workload == tandem::Workload::mse ? 1 : 0);
  s.nx = to_int(o, "--nx", 50, 0);
  s.ncoef = to_int(o, "--ncoef", 4, 1);
  return s;
}

tandem::Problem problem_of(const Spec& s) {
  switch (s.workload) {
    case tandem::Workload::map:
      return tandem::Problem::map(s.dtype, s.n);
    case tandem::Workload::matmul:
      return tandem::Problem::matmul(s.dtype, s.n, s.n, s.n);
    case tandem::Workload::polynomial_grid:
      return tandem::Problem::polynomial_grid(s.dtype, s.n, s.nx, s.ncoef);
    case tandem::Workload::mse:
      return tandem::Problem::mse(s.dtype, s.n);
  }
  return {};
}

// ---- info ------------------------------------------------------------------------------------
int cmd_info() {
  std::cout << "tandem " << tandem::version() << "\n\nbackends:\n";
  for (tandem::Backend b : {tandem::Backend::serial, tandem::Backend::openmp, tandem::Backend::cuda,
                            tandem::Backend::automatic}) {
    const tandem::BackendInfo i = tandem::backend_info(b);
    std::cout << "  " << i.name << std::string(10 - i.name.size(), ' ');
    if (i.available) {
      std::cout << "available, " << i.threads << " thread" << (i.threads == 1 ? "" : "s") << ": "
                << i.device << "\n";
    } else {
      std::cout << "unavailable: " << i.reason << "\n";
    }
  }
  const tandem::ProfileInfo p = tandem::profile_info();
  std::cout << "\nmachine: " << p.machine
            << "\nprofile: " << (p.path.empty() ? "(no path)" : p.path) << "\n  " << p.status
            << (p.loaded ? ", measured " + p.created : "; automatic uses the built-in defaults")
            << "\n";
  const char* env = std::getenv("TANDEM_BACKEND");
  std::cout << "default backend: " << tandem::default_backend()
            << (env != nullptr && *env != '\0' ? " (TANDEM_BACKEND)" : "") << "\n";
  return 0;
}

// ---- run -------------------------------------------------------------------------------------
template <class T>
double checksum(const T* p, std::int64_t n) {
  double s = 0;
  for (std::int64_t i = 0; i < n; ++i) s += static_cast<double>(p[i]);
  return s;
}

template <class T>
std::vector<T> data(std::int64_t n, unsigned seed) {
  std::vector<T> v(static_cast<std::size_t>(n));
  std::uint64_t x = seed;
  for (T& e : v) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    if constexpr (std::is_floating_point_v<T>) {
      e = static_cast<T>(static_cast<double>(x >> 11) * 0x1.0p-52 - 1.0);
    } else {
      e = static_cast<T>((x >> 33) % 10);
    }
  }
  return v;
}

// Runs the call `repeat` times after one untimed call; returns the checksum and the stats of the
// median call.
template <class T>
std::pair<double, tandem::Stats> run_typed(const Spec& s, tandem::Options o, int repeat) {
  std::vector<tandem::Stats> stats(static_cast<std::size_t>(repeat) + 1);
  double sum = 0;
  const auto each = [&](auto&& call) {
    for (tandem::Stats& st : stats) {
      o.stats = &st;
      sum = call();
    }
  };
  switch (s.workload) {
    case tandem::Workload::map: {
      const auto x = data<T>(s.n, 1);
      std::vector<T> y(x.size());
      each([&] {
        tandem::map(std::span<const T>(x), std::span<T>(y), tandem::MapOp::scale(2), o);
        return checksum(y.data(), s.n);
      });
      break;
    }
    case tandem::Workload::matmul: {
      tandem::Matrix<T> a(s.n, s.n), b(s.n, s.n), c(s.n, s.n);
      const auto va = data<T>(s.n * s.n, 2), vb = data<T>(s.n * s.n, 3);
      std::copy(va.begin(), va.end(), a.data());
      std::copy(vb.begin(), vb.end(), b.data());
      each([&] {
        tandem::matmul(a.view(), b.view(), c.view(), o);
        return checksum(c.data(), s.n * s.n);
      });
      break;
    }
    case tandem::Workload::polynomial_grid: {
      // n parameter sets as a grid of axes as equal as n's divisors allow (10^4: 10 per axis).
      std::vector<std::vector<T>> axes;
      std::int64_t rest = s.n;
      for (std::int64_t i = s.ncoef; i > 0; --i) {
        auto a =
            i == 1 ? rest
                   : static_cast<std::int64_t>(std::ceil(
                         std::pow(static_cast<double>(rest), 1.0 / static_cast<double>(i)) - 1e-9));
        a = std::max<std::int64_t>(a, rest == 0 ? 0 : 1);
        while (a > 1 && rest % a != 0) --a;
        axes.push_back(data<T>(a, static_cast<unsigned>(4 + i)));
        rest = a > 0 ? rest / a : 0;
      }
      const tandem::CartesianGrid<T> g(std::move(axes));
      const auto x = tandem::linspace(T(-2), T(2), s.nx);
      tandem::Matrix<T> out(s.n, s.nx);
      each([&] {
        tandem::polynomial_grid(g, std::span<const T>(x), out.view(), o);
        return checksum(out.data(), s.n * s.nx);
      });
      break;
    }
    case tandem::Workload::mse: {
      if constexpr (std::is_floating_point_v<T>) {
        const auto e = data<T>(s.n, 5);
        each([&] { return tandem::mse(std::span<const T>(e), o); });
      }
      break;
    }
  }
  stats.erase(stats.begin());  // the first call pays one-time costs (threads, profile, module)
  std::sort(stats.begin(), stats.end(),
            [](const tandem::Stats& a, const tandem::Stats& b) { return a.seconds < b.seconds; });
  return {sum, stats[stats.size() / 2]};
}

int cmd_run(const std::vector<std::string>& args) {
  const auto o = parse_options(
      args, 3, {"--n", "--backend", "--dtype", "--threads", "--repeat", "--nx", "--ncoef"}, {});
  const Spec s = parse_spec(args, o, false);
  tandem::Options options;
  if (o.count("--backend") != 0) options.backend = tandem::parse_backend(o.at("--backend"));
  options.threads = static_cast<int>(to_int(o, "--threads", 0, 0));
  const int repeat = static_cast<int>(to_int(o, "--repeat", 5, 1));
  std::pair<double, tandem::Stats> r;
  switch (s.dtype) {
    case tandem::DType::f32:
      r = run_typed<float>(s, options, repeat);
      break;
    case tandem::DType::f64:
      r = run_typed<double>(s, options, repeat);
      break;
    case tandem::DType::i32:
      r = run_typed<std::int32_t>(s, options, repeat);
      break;
    case tandem::DType::i64:
      r = run_typed<std::int64_t>(s, options, repeat);
      break;
  }
  const tandem::Stats& st = r.second;
  std::printf("%s %s n=%lld\n", std::string(tandem::to_string(s.workload)).c_str(),
              std::string(tandem::to_string(s.dtype)).c_str(), static_cast<long long>(s.n));
  std::printf("backend:  %s (%d thread%s)\n", std::string(tandem::to_string(st.backend)).c_str(),
              st.threads, st.threads == 1 ? "" : "s");
  std::printf("why:      %s\n", st.reason.c_str());
  std::printf("%s %.17g\n",
              s.workload == tandem::Workload::mse ? "result:  " : "checksum:", r.first);
  std::printf("time:     %s (median of %d calls)\n", seconds(st.seconds).c_str(), repeat);
  std::printf("  allocation %s, host to device %s, compute %s, device to host %s\n",
              seconds(st.allocation_seconds).c_str(), seconds(st.host_to_device_seconds).c_str(),
              seconds(st.compute_seconds).c_str(), seconds(st.device_to_host_seconds).c_str());
  return 0;
}

// ---- plan ------------------------------------------------------------------------------------
int cmd_plan(const std::vector<std::string>& args) {
  const auto o = parse_options(args, 3, {"--n", "--dtype", "--nx", "--ncoef"}, {"--device"});
  const Spec s = parse_spec(args, o, true);
  tandem::Problem p = problem_of(s);
  p.device = o.count("--device") != 0;
  const tandem::Plan plan = tandem::plan(p);
  std::printf("%s %s n=%lld%s: work %.6g, %.6g bytes\n",
              std::string(tandem::to_string(s.workload)).c_str(),
              std::string(tandem::to_string(s.dtype)).c_str(), static_cast<long long>(s.n),
              p.device ? " (operands in GPU memory)" : "", p.work, p.bytes);
  std::printf("  %-8s %12s %12s %12s %12s  %s\n", "backend", "predicted", "overhead", "compute",
              "transfer", "");
  for (const tandem::Prediction& pr : plan.predictions) {
    const std::string name(tandem::to_string(pr.backend));
    if (!pr.available) {
      std::printf("  %-8s %12s %12s %12s %12s  unavailable: %s\n", name.c_str(), "-", "-", "-", "-",
                  pr.why_not.c_str());
      continue;
    }
    std::printf("  %-8s %12s %12s %12s %12s  %s%s\n", name.c_str(), seconds(pr.seconds).c_str(),
                seconds(pr.overhead_seconds).c_str(), seconds(pr.compute_seconds).c_str(),
                seconds(pr.transfer_seconds).c_str(), pr.calibrated ? "calibrated" : "default",
                pr.backend == plan.choice ? "  <- automatic" : "");
  }
  std::printf("choice: %s\nwhy: %s\n", std::string(tandem::to_string(plan.choice)).c_str(),
              plan.reason.c_str());
  const tandem::ProfileInfo info = tandem::profile_info();
  std::printf("profile: %s (%s)\n", info.path.empty() ? "none" : info.path.c_str(),
              info.status.c_str());
  return 0;
}

// ---- calibrate -------------------------------------------------------------------------------
int cmd_calibrate(const std::vector<std::string>& args) {
  const auto o = parse_options(args, 2, {"--out"}, {"--quick", "--full"});
  if (o.count("--quick") != 0 && o.count("--full") != 0) throw Usage{"--quick or --full, not both"};
  tandem::CalibrationOptions c;
  c.quick = o.count("--full") == 0;
  if (o.count("--out") != 0) c.path = o.at("--out");
  c.progress = [](const std::string& line) { std::cout << "  " << line << std::endl; };
  std::cout << "calibrating (" << (c.quick ? "quick" : "full") << ") on "
            << tandem::profile_info().machine << std::endl;
  const tandem::CalibrationResult r = tandem::calibrate(c);
  int rejected = 0;
  for (const auto& e : r.entries) rejected += e.accepted ? 0 : 1;
  if (r.host_to_device_bytes_per_second > 0) {
    std::printf("  host to device %.3g GB/s, device to host %.3g GB/s\n",
                r.host_to_device_bytes_per_second / 1e9, r.device_to_host_bytes_per_second / 1e9);
  } else {
    std::printf("  cuda not measured (%s)\n",
                tandem::backend_info(tandem::Backend::cuda).reason.c_str());
  }
  std::printf("%zu series fitted (%d rejected) in %.1f s; saved %s\n", r.entries.size(), rejected,
              r.seconds, r.path.c_str());
  return 0;
}

// ---- bench -----------------------------------------------------------------------------------
int cmd_bench(const std::vector<std::string>& args) {
  const auto o = parse_options(args, 2, {"--out"}, {"--quick", "--full"});
  if (o.count("--quick") != 0 && o.count("--full") != 0) throw Usage{"--quick or --full, not both"};
  const std::string script = std::string(TANDEM_SOURCE_DIR) + "/scripts/bench.sh";
  if (access(script.c_str(), X_OK) != 0) {
    throw tandem::error(
        tandem::errc::invalid_argument,
        "tandem bench needs the source tree it was built from (" + script + " is not there)");
  }
  std::vector<std::string> argv_s{script, o.count("--full") != 0 ? "--full" : "--quick"};
  if (o.count("--out") != 0) argv_s.insert(argv_s.end(), {"--out", o.at("--out")});
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout.flush();
  execv(script.c_str(), argv.data());
  throw tandem::error(tandem::errc::invalid_argument, "cannot run " + script);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv, argv + argc);
  const std::string cmd = args.size() > 1 ? args[1] : "";
  const std::map<std::string, const char*> help{{"info", kInfoHelp},
                                                {"run", kRunHelp},
                                                {"plan", kPlanHelp},
                                                {"calibrate", kCalibrateHelp},
                                                {"bench", kBenchHelp}};
  try {
    if (cmd.empty() || is_help(cmd)) {
      std::cout << kMainHelp;
      return cmd.empty() ? 2 : 0;
    }
    if (cmd == "--version") {
      std::cout << "tandem " << tandem::version() << "\n";
      return 0;
    }
    if (help.count(cmd) == 0) throw Usage{"unknown command '" + cmd + "' (see tandem --help)"};
    if (std::any_of(args.begin() + 2, args.end(),
                    [](const std::string& a) { return is_help(a); })) {
      std::cout << help.at(cmd);
      return 0;
    }
    if (cmd == "info") {
      if (args.size() > 2) throw Usage{"info takes no arguments"};
      return cmd_info();
    }
    if (cmd == "run") return cmd_run(args);
    if (cmd == "plan") return cmd_plan(args);
    if (cmd == "calibrate") return cmd_calibrate(args);
    return cmd_bench(args);
  } catch (const Usage& u) {
    std::cerr << "tandem" << (cmd.empty() ? "" : " " + cmd) << ": " << u.message << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "tandem" << (cmd.empty() ? "" : " " + cmd) << ": " << e.what() << "\n";
    return 1;
  }
}

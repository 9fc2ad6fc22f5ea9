// tandem_bench: the comparative benchmark. Every workload x available backend x dtype x size,
// registered at run time (a new backend needs no edit here), plus reference figures measured in
// the same run.
//
// Usage: tandem_bench [--quick | --full] [--json FILE] [--log FILE] [--commit SHA]
//                     [--benchmark_* flags]
//   --quick (default): fewer sizes, <= 2^24 elements besides the bandwidth point, short runs;
//   --full: every size up to 2^26 and 2048^3, longer runs, for real hardware;
//   --log FILE: the rows go to FILE, the console shows progress and a closing count.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "bench_common.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif
#include <unistd.h>

namespace {

using namespace tandem_bench;

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

std::int64_t llc_bytes() {
  long v = sysconf(_SC_LEVEL3_CACHE_SIZE);
  if (v <= 0) v = sysconf(_SC_LEVEL2_CACHE_SIZE);
  return v > 0 ? v : std::int64_t{32} << 20;
}

// Prints "[k/N]" before each result so long sweeps show progress (rows on stdout).
class ProgressReporter : public benchmark::ConsoleReporter {
 public:
  explicit ProgressReporter(std::size_t total) : total_(total) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    // One benchmark is done when its last repetition reports; aggregates follow unnumbered.
    std::ostream& out = GetOutputStream();
    bool finished = false;
    for (const Run& r : runs) {
      finished |= r.run_type == Run::RT_Iteration && r.repetition_index + 1 >= r.repetitions;
    }
    if (finished) {
      out << '[' << ++done_;
      if (total_ > 0) out << '/' << total_;
      out << "] ";
    }
    ConsoleReporter::ReportRuns(runs);
    out.flush();  // progress must show even when stdout is a file or a pipe
  }

 private:
  std::size_t total_;
  std::size_t done_ = 0;
};

std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lds", s);
  }
  return buf;
}

// --log FILE: the rows (every repetition and aggregate, and Google Benchmark's own context
// lines) go to FILE; the console shows one progress line (what runs, how far, time left) and a
// closing count. On a terminal the line is rewritten in place; elsewhere a line is printed
// every ~5% so that CI logs stay short.
class QuietReporter : public benchmark::BenchmarkReporter {
 public:
  QuietReporter(std::size_t total, std::ostream& log, std::string log_name)
      : rows_(benchmark::ConsoleReporter::OO_Tabular),
        total_(total),
        log_name_(std::move(log_name)),
        tty_(isatty(STDERR_FILENO) != 0) {
    rows_.SetOutputStream(&log);
    rows_.SetErrorStream(&log);
  }
  bool ReportContext(const Context& context) override {
    start_ = std::chrono::steady_clock::now();
    return rows_.ReportContext(context);
  }
  void ReportRuns(const std::vector<Run>& runs) override {
    rows_.ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration) continue;
      if (r.error_occurred) {
        ++errors_;
        if (errors_ <= 5) {
          first_errors_.append("\n  ").append(r.benchmark_name()).append(": ");
          first_errors_.append(r.error_message);
        }
      }
      if (r.repetition_index + 1 >= r.repetitions) {
        ++done_;
        show(r.benchmark_name());
      }
    }
  }
  void Finalize() override {
    rows_.Finalize();
    const double elapsed = seconds();
    if (tty_) std::fprintf(stderr, "\r\033[K");
    std::fprintf(stderr, "tandem_bench: %zu benchmarks in %s", done_, clock_text(elapsed).c_str());
    if (errors_ > 0)
      std::fprintf(stderr, ", %zu reported an error:%s", errors_, first_errors_.c_str());
    std::fprintf(stderr, "\n  rows: %s\n", log_name_.c_str());
  }

 private:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  void show(const std::string& name) {
    const double elapsed = seconds();
    // Built with appends (GCC 12 warns about operator+ on temporaries with -Wrestrict).
    std::string line = "[";
    line.append(std::to_string(done_));
    if (total_ > 0) line.append("/").append(std::to_string(total_));
    line.append("] ").append(clock_text(elapsed));
    // Time left from the pace so far: the sweep's sizes grow, so this is a rough guide.
    if (total_ > 0 && done_ > 0 && done_ < total_) {
      const double left =
          elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_);
      line.append(", ~").append(clock_text(left)).append(" left");
    }
    line.append("  ").append(name);
    if (tty_) {
      if (line.size() > 110) line.resize(110);
      std::fprintf(stderr, "\r\033[K%s", line.c_str());
      std::fflush(stderr);
      return;
    }
    const std::size_t step = total_ > 0 ? std::max<std::size_t>(1, total_ / 20) : 25;
    if (done_ % step == 0 || done_ == total_) {
      std::fprintf(stderr, "%s\n", line.c_str());
      std::fflush(stderr);
    }
  }

  benchmark::ConsoleReporter rows_;
  std::size_t total_;
  std::string log_name_;
  bool tty_;
  std::size_t done_ = 0;
  std::size_t errors_ = 0;
  std::string first_errors_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

int main(int argc, char** argv) {
  Config c;
  std::string json, log, commit = "unknown";
  std::vector<char*> args{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      c.quick = true;
    } else if (a == "--full") {
      c.quick = false;
    } else if (a == "--json" && i + 1 < argc) {
      json = argv[++i];
    } else if (a == "--commit" && i + 1 < argc) {
      commit = argv[++i];
    } else if (a == "--log" && i + 1 < argc) {
      log = argv[++i];
    } else {
      args.push_back(argv[i]);
    }
  }
  std::string out_flag = "--benchmark_out=" + json;
  std::string format_flag = "--benchmark_out_format=json";
  if (!json.empty()) {
    args.push_back(out_flag.data());
    args.push_back(format_flag.data());
  }
  // With a filter, fewer than all registered benchmarks run: show the count only.
  bool filtered = false;
  for (const char* a : args) filtered |= std::strncmp(a, "--benchmark_filter", 18) == 0;
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;

#if defined(_OPENMP)
  c.max_threads = omp_get_max_threads();
#endif
  for (int t = 1; t < c.max_threads; t *= 2) c.thread_sweep.push_back(t);
  c.thread_sweep.push_back(c.max_threads);
  c.llc_bytes = llc_bytes();
  // A descheduled core stalls a whole fork-join, so single samples on a shared machine can be
  // far off: every point is repeated and the report takes the median.
  c.min_time = c.quick ? 0.02 : 0.2;
  c.repetitions = c.quick ? 3 : 5;
  // Parallel backends first and serial last at each size, so that a parallel run never starts
  // right after seconds of one busy core (on a VM the idle core is slow to come back).
  for (tandem::Backend b : tandem::available_backends()) {
    if (b != tandem::Backend::serial) c.backends.push_back(b);
  }
  c.backends.push_back(tandem::Backend::automatic);
  c.backends.push_back(kAutomaticDefaults);  // automatic before calibration, in the same run
  c.backends.push_back(tandem::Backend::serial);

  const tandem::BackendInfo cuda = tandem::backend_info(tandem::Backend::cuda);
  benchmark::AddCustomContext("tandem_version", tandem::version());
  benchmark::AddCustomContext("tandem_commit", commit);
  benchmark::AddCustomContext("tandem_mode", c.quick ? "quick" : "full");
  benchmark::AddCustomContext("llc_bytes", std::to_string(c.llc_bytes));
  benchmark::AddCustomContext("machine", cpu_model());
  benchmark::AddCustomContext("gpu", cuda.available ? cuda.device : "none (" + cuda.reason + ")");
  benchmark::AddCustomContext("openmp", tandem::backend_info(tandem::Backend::openmp).device);
  const tandem::ProfileInfo profile = tandem::profile_info();
  benchmark::AddCustomContext(
      "tandem_profile", profile.loaded ? profile.path + " (measured " + profile.created + ")"
                                       : "none (" + profile.path + ": " + profile.status + ")");

  for (auto reg : {register_references, register_map, register_matmul, register_polynomial_grid,
                   register_mse, register_sort, register_reduce, register_gpu}) {
    reg(c);
  }
  const std::size_t total = filtered ? 0 : registered_count();
  if (!log.empty()) {
    std::ofstream log_file(log);
    if (!log_file) {
      std::fprintf(stderr, "tandem_bench: cannot write the log %s\n", log.c_str());
      return 1;
    }
    QuietReporter quiet(total, log_file, log);
    benchmark::RunSpecifiedBenchmarks(&quiet);
  } else {
    ProgressReporter progress(total);
    benchmark::RunSpecifiedBenchmarks(&progress);
  }
  benchmark::Shutdown();
  return 0;
}

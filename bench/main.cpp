// tandem_bench: the comparative benchmark. Every workload x available backend x dtype x size,
// registered at run time (a new backend needs no edit here), plus reference figures measured in
// the same run.
//
// Usage: tandem_bench [--quick | --full] [--json FILE] [--commit SHA] [--benchmark_* flags]
//   --quick (default): fewer sizes, <= 2^24 elements besides the bandwidth point, short runs;
//   --full: every size up to 2^26 and 2048^3, longer runs, for real hardware.
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

// Prints "[k/N]" before each result so long sweeps show progress.
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

}  // namespace

int main(int argc, char** argv) {
  Config c;
  std::string json, commit = "unknown";
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
                   register_mse, register_gpu}) {
    reg(c);
  }
  const std::size_t total = filtered ? 0 : registered_count();
  ProgressReporter progress(total);
  benchmark::RunSpecifiedBenchmarks(&progress);
  benchmark::Shutdown();
  return 0;
}

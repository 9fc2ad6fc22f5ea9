// tandem: the command-line tool. info, run, plan, calibrate, bench; --help on each.
// Parsing (args.cpp) is separate from running (here). Exit status: 0 success; 1 the library or
// the system refused (one line "tandem <command>: <message>" on stderr, also when standard
// output cannot be written); 2 usage error (one line on stderr).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "args.hpp"
#include "tandem/tandem.hpp"

namespace {

using tandem_cli::one_line;
using tandem_cli::printable;
using tandem_cli::Spec;

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

tandem::WorkloadSize size_of(const Spec& s) { return {s.n, s.nx, s.ncoef}; }

tandem::Problem problem_of(const Spec& s) {
  return tandem::problem_of(s.workload, s.dtype, size_of(s));
}

// ---- info ------------------------------------------------------------------------------------
int cmd_info() {
  std::cout << "tandem " << tandem::version() << "\n\nbackends:\n";
  for (tandem::Backend b : {tandem::Backend::serial, tandem::Backend::openmp, tandem::Backend::cuda,
                            tandem::Backend::automatic}) {
    const tandem::BackendInfo i = tandem::backend_info(b);
    std::cout << "  " << i.name << std::string(10 - std::min<std::size_t>(i.name.size(), 9), ' ');
    if (i.available) {
      std::cout << "available, " << i.threads << " thread" << (i.threads == 1 ? "" : "s") << ": "
                << one_line(i.device) << "\n";
    } else {
      std::cout << "unavailable: " << one_line(i.reason) << "\n";
    }
  }
  // The profile's strings come from a file and the environment: escaped.
  const tandem::ProfileInfo p = tandem::profile_info();
  // ProfileInfo's strings come escaped from the library (control bytes as \xNN).
  std::cout << "\nmachine: " << one_line(p.machine)
            << "\nprofile: " << (p.path.empty() ? "(no path)" : one_line(p.path)) << "\n  "
            << one_line(p.status)
            << (p.loaded ? ", measured " + one_line(p.created)
                         : "; automatic uses the built-in defaults")
            << "\n";
  const char* env = std::getenv("TANDEM_BACKEND");
  std::cout << "default backend: " << tandem::default_backend()
            << (env != nullptr && *env != '\0' ? " (TANDEM_BACKEND)" : "") << "\n";
  return 0;
}

// ---- run -------------------------------------------------------------------------------------
// Runs the workload's sample call `repeat` times after one untimed call; returns the checksum
// (or the result) and the stats of the median call.
std::pair<double, tandem::Stats> run_sample(const Spec& s, tandem::Options o, int repeat) {
  const tandem::SampleCall call = tandem::sample_call(s.workload, s.dtype, size_of(s));
  std::vector<tandem::Stats> stats(static_cast<std::size_t>(repeat) + 1);
  for (tandem::Stats& st : stats) {
    o.stats = &st;
    call.run(o);
  }
  stats.erase(stats.begin());  // the first call pays one-time costs (threads, profile, module)
  std::sort(stats.begin(), stats.end(),
            [](const tandem::Stats& a, const tandem::Stats& b) { return a.seconds < b.seconds; });
  return {call.checksum(), stats[stats.size() / 2]};
}

/// Refuses, before allocating, data that cannot fit in this machine's memory (the ranges of the
/// parser keep every size below 2^40 elements, but not below what this machine holds).
void check_fits(const Spec& s) {
  const double bytes = tandem::sample_bytes(s.workload, s.dtype, size_of(s));
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return;  // unknown: the allocation itself will tell
  const double memory = static_cast<double>(pages) * static_cast<double>(page_size);
  if (bytes > memory) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "the data of %s %s n=%lld takes %.3g GB, more than this machine's %.3g GB",
                  std::string(tandem::to_string(s.workload)).c_str(),
                  std::string(tandem::to_string(s.dtype)).c_str(), static_cast<long long>(s.n),
                  bytes / 1e9, memory / 1e9);
    throw tandem::out_of_memory(buf);
  }
}

/// The Options of a run. A new option of the call is one line here.
tandem::Options options_of(const tandem_cli::RunArgs& a) {
  tandem::Options o;
  o.backend = a.backend;
  o.threads = a.threads;
  o.verify = a.verify;
  return o;
}

int cmd_run(const tandem_cli::RunArgs& a) {
  const Spec& s = a.spec;
  check_fits(s);
  const tandem::Options options = options_of(a);
  const std::pair<double, tandem::Stats> r = run_sample(s, options, a.repeat);
  const tandem::Stats& st = r.second;
  std::printf("%s %s n=%lld\n", std::string(tandem::to_string(s.workload)).c_str(),
              std::string(tandem::to_string(s.dtype)).c_str(), static_cast<long long>(s.n));
  std::printf("backend:  %s (%d thread%s)\n", std::string(tandem::to_string(st.backend)).c_str(),
              st.threads, st.threads == 1 ? "" : "s");
  std::printf("why:      %s\n", one_line(st.reason).c_str());
  std::printf("%s %.17g\n",
              tandem::cli_defaults(s.workload).scalar ? "result:  " : "checksum:", r.first);
  if (st.verified) std::printf("verified against serial: every call\n");
  std::printf("time:     %s (median of %d calls)\n", seconds(st.seconds).c_str(), a.repeat);
  std::printf("  allocation %s, host to device %s, compute %s, device to host %s\n",
              seconds(st.allocation_seconds).c_str(), seconds(st.host_to_device_seconds).c_str(),
              seconds(st.compute_seconds).c_str(), seconds(st.device_to_host_seconds).c_str());
  return 0;
}

// ---- plan ------------------------------------------------------------------------------------
int cmd_plan(const tandem_cli::PlanArgs& a) {
  const Spec& s = a.spec;
  tandem::Problem p = problem_of(s);
  p.device = a.device;
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
                  one_line(pr.why_not).c_str());
      continue;
    }
    std::printf("  %-8s %12s %12s %12s %12s  %s%s\n", name.c_str(), seconds(pr.seconds).c_str(),
                seconds(pr.overhead_seconds).c_str(), seconds(pr.compute_seconds).c_str(),
                seconds(pr.transfer_seconds).c_str(), pr.calibrated ? "calibrated" : "default",
                pr.backend == plan.choice ? "  <- automatic" : "");
  }
  std::printf("choice: %s\nwhy: %s\n", std::string(tandem::to_string(plan.choice)).c_str(),
              one_line(plan.reason).c_str());
  const tandem::ProfileInfo info = tandem::profile_info();
  std::printf("profile: %s (%s)\n", info.path.empty() ? "none" : one_line(info.path).c_str(),
              one_line(info.status).c_str());
  return 0;
}

// ---- calibrate -------------------------------------------------------------------------------
/// Refuses, before a minute of measuring, a profile path that cannot be saved to as a regular
/// file: empty, or existing as anything but a regular file (a symbolic link, directory, FIFO,
/// device or socket), or not even inspectable (a parent that is no directory, no permission).
/// `what` names where the path came from, for the message.
void check_out_path(const std::string& path, const std::string& what) {
  if (path.empty()) {
    throw tandem::invalid_argument(
        "nowhere to save the profile (give --out, or set TANDEM_PROFILE, XDG_CACHE_HOME or "
        "HOME)");
  }
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) return;  // a new file (calibrate creates the missing directories)
    throw tandem::invalid_argument("cannot save the profile to " + what + " '" + printable(path) +
                                   "': " + std::strerror(err));
  }
  if (S_ISREG(st.st_mode)) return;
  const char* kind = S_ISLNK(st.st_mode)    ? "a symbolic link"
                     : S_ISDIR(st.st_mode)  ? "a directory"
                     : S_ISFIFO(st.st_mode) ? "a FIFO"
                     : S_ISCHR(st.st_mode)  ? "a character device"
                     : S_ISBLK(st.st_mode)  ? "a block device"
                     : S_ISSOCK(st.st_mode) ? "a socket"
                                            : "not a regular file";
  throw tandem::invalid_argument("cannot save the profile to " + what + " '" + printable(path) +
                                 "': it is " + kind + ", not a regular file");
}

int cmd_calibrate(const tandem_cli::MeasureArgs& a) {
  tandem::CalibrationOptions c;
  c.quick = a.quick;
  // The path calibrate() would pick, resolved here so that it is checked before measuring.
  std::string what = "--out";
  if (a.out) {
    c.path = *a.out;
  } else if (const char* env = std::getenv("TANDEM_PROFILE"); env != nullptr && *env != '\0') {
    c.path = env;
    what = "TANDEM_PROFILE";
  } else {
    c.path = tandem::default_profile_path();
    what = "the default path";
  }
  check_out_path(c.path, what);
  tandem::check_profile_path(c.path);  // the library's own rules too (a writable folder...)
  c.progress = [](const std::string& line) { std::cout << "  " << one_line(line) << std::endl; };
  std::cout << "calibrating (" << (c.quick ? "quick" : "full") << ") on "
            << one_line(tandem::profile_info().machine) << std::endl;
  const tandem::CalibrationResult r = tandem::calibrate(c);
  int rejected = 0;
  for (const auto& e : r.entries) rejected += e.accepted ? 0 : 1;
  if (r.host_to_device_bytes_per_second > 0) {
    std::printf("  host to device %.3g GB/s, device to host %.3g GB/s\n",
                r.host_to_device_bytes_per_second / 1e9, r.device_to_host_bytes_per_second / 1e9);
  } else {
    std::printf("  cuda not measured (%s)\n",
                one_line(tandem::backend_info(tandem::Backend::cuda).reason).c_str());
  }
  std::printf("%zu series fitted (%d rejected) in %.1f s; saved %s\n", r.entries.size(), rejected,
              r.seconds, printable(r.path).c_str());
  return 0;
}

// ---- output ----------------------------------------------------------------------------------
/// Flushes standard output; throws when anything written to it was lost (a full disk, a closed
/// pipe or descriptor), so that a truncated output never exits 0.
void finish_output() {
  errno = 0;
  std::cout.flush();  // synchronised with stdio: this is fflush(stdout)
  int err = errno;
  if (std::fflush(stdout) != 0 && err == 0) err = errno;
  if (!std::ferror(stdout) && std::cout.good()) return;
  throw tandem::error(tandem::errc::device_error,
                      std::string("cannot write to standard output") +
                          (err != 0 ? std::string(": ") + std::strerror(err) : std::string()));
}

// ---- bench -----------------------------------------------------------------------------------
int cmd_bench(const tandem_cli::MeasureArgs& a) {
  const std::string script = std::string(TANDEM_SOURCE_DIR) + "/scripts/bench.sh";
  if (access(script.c_str(), X_OK) != 0) {
    throw tandem::error(tandem::errc::invalid_argument,
                        "tandem bench needs the source tree it was built from (" +
                            printable(script) + " is not there)");
  }
  std::vector<std::string> argv_s{script, a.quick ? "--quick" : "--full"};
  if (a.out) argv_s.insert(argv_s.end(), {"--out", *a.out});
  std::vector<char*> argv;
  for (std::string& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  finish_output();
  execv(script.c_str(), argv.data());
  const int err = errno;
  throw tandem::error(tandem::errc::invalid_argument,
                      "cannot run " + printable(script) + ": " + std::strerror(err));
}

int execute(const tandem_cli::Command& c) {
  switch (c.verb) {
    case tandem_cli::Verb::help:
      std::cout << c.help;
      return c.help_status;
    case tandem_cli::Verb::version:
      std::cout << "tandem " << tandem::version() << "\n";
      return 0;
    case tandem_cli::Verb::info:
      return cmd_info();
    case tandem_cli::Verb::run:
      return cmd_run(c.run);
    case tandem_cli::Verb::plan:
      return cmd_plan(c.plan);
    case tandem_cli::Verb::calibrate:
      return cmd_calibrate(c.measure);
    case tandem_cli::Verb::bench:
      return cmd_bench(c.measure);
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string prefix = "tandem";
  try {
    const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
    const tandem_cli::Command c = tandem_cli::parse(args);
    if (!c.name.empty()) prefix += " " + c.name;
    if (!c.error.empty()) {
      std::cerr << prefix << ": " << c.error << "\n";
      return 2;
    }
    const int status = execute(c);
    finish_output();
    return status;
  } catch (const tandem::out_of_memory& e) {
    std::cerr << prefix << ": out of memory: " << one_line(e.what()) << "\n";
  } catch (const std::bad_alloc&) {
    std::cerr << prefix << ": out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << prefix << ": " << one_line(e.what()) << "\n";
  } catch (...) {
    std::cerr << prefix << ": unexpected error\n";
  }
  return 1;
}

#include "model/profile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

namespace tandem::detail {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kFormat = "tandem-profile";
constexpr int kVersion = 1;
constexpr int kMaxDepth = 8;
constexpr int kMaxCount = 1 << 20;

std::string errno_text(int e) { return std::generic_category().message(e); }

// ---- schema checks ---------------------------------------------------------------------------

[[noreturn]] void bad(const std::string& what) { throw std::runtime_error(what); }

// Strings of this schema are printable ASCII; the writer replaces anything else by '?'.
bool plain(const std::string& s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
  }
  return true;
}

std::string plain_copy(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return out;
}

const Json& as_object(const Json& j, const std::string& what) {
  if (!j.is_object()) bad(what + " must be an object");
  return j;
}

// Checks that `o` has only the `allowed` keys and all of the `required` ones.
void check_keys(const Json& o, const std::string& what, const std::set<std::string>& allowed,
                const std::set<std::string>& required) {
  for (const auto& [k, v] : o.items()) {
    if (allowed.count(k) == 0) bad(what + " has an unexpected key '" + plain_copy(k) + "'");
  }
  for (const auto& k : required) {
    if (!o.contains(k)) bad(what + " lacks '" + k + "'");
  }
}

const std::string& get_string(const Json& o, const std::string& key) {
  const Json& v = o.at(key);
  if (!v.is_string()) bad("'" + key + "' must be a string");
  const std::string& s = v.get_ref<const std::string&>();
  if (!plain(s)) bad("'" + key + "' must be printable ASCII");
  return s;
}

double get_number(const Json& o, const std::string& key) {
  const Json& v = o.at(key);
  if (!v.is_number()) bad("'" + key + "' must be a number");
  double d = 0;
  if (v.is_number_unsigned()) {
    d = static_cast<double>(v.get<std::uint64_t>());
  } else if (v.is_number_integer()) {
    d = static_cast<double>(v.get<std::int64_t>());
  } else {
    d = v.get<double>();
  }
  if (!std::isfinite(d)) bad("'" + key + "' must be finite");
  if (d < 0) bad("'" + key + "' must not be negative");
  return d;
}

int get_count(const Json& o, const std::string& key, int min, int max) {
  const double d = get_number(o, key);
  if (d != std::floor(d) || d < min || d > max)
    bad("'" + key + "' must be an integer from " + std::to_string(min) + " to " +
        std::to_string(max));
  return static_cast<int>(d);
}

template <class E, std::size_t N>
E get_enum(const Json& o, const std::string& key, const E (&values)[N]) {
  const std::string& s = get_string(o, key);
  for (E e : values) {
    if (to_string(e) == s) return e;
  }
  bad("'" + key + "' has an unknown value '" + s + "'");
}

std::string num(double v) { return Json(v).dump(); }

constexpr Backend kBackends[] = {Backend::serial, Backend::openmp, Backend::cuda};
constexpr const Workload (&kWorkloads)[kModelWorkloads] = kAllWorkloads;
constexpr DType kDTypes[] = {
#define TANDEM_PROFILE_DTYPE_(T, name) DType::name,
    TANDEM_FOR_EACH_DTYPE(TANDEM_PROFILE_DTYPE_)
#undef TANDEM_PROFILE_DTYPE_
};

// "samples": [[work, seconds], ...], at most kMaxSamples, work positive and strictly increasing,
// seconds plausible.
void read_samples(const Json& a, const std::string& name, Coefficients* c) {
  if (!a.is_array()) bad(name + ": 'samples' must be an array");
  if (a.size() > static_cast<std::size_t>(kMaxSamples)) {
    bad(name + ": more than " + std::to_string(kMaxSamples) + " samples");
  }
  int n = 0;
  for (const Json& pair : a) {
    if (!pair.is_array() || pair.size() != 2) bad(name + ": a sample must be [work, seconds]");
    Sample s;
    for (int k = 0; k < 2; ++k) {
      const Json& v = pair.at(static_cast<std::size_t>(k));
      if (!v.is_number()) bad(name + ": a sample must be [work, seconds], two numbers");
      const double d = v.get<double>();
      if (!std::isfinite(d)) bad(name + ": a sample's numbers must be finite");
      (k == 0 ? s.work : s.seconds) = d;
    }
    if (!(s.work > 0)) bad(name + ": a sample's work must be positive");
    if (n > 0 && !(s.work > c->samples[static_cast<std::size_t>(n - 1)].work)) {
      bad(name + ": the samples' work must increase strictly");
    }
    if (!plausible_sample_seconds(s.seconds)) {
      bad(name + ": a sample of " + num(s.seconds) + " s is implausible (valid: " +
          num(kMinSampleSeconds) + " to " + num(kMaxSampleSeconds) + ")");
    }
    c->samples[static_cast<std::size_t>(n++)] = s;
  }
  c->sample_count = n;
}

Profile from_json(const Json& doc, const Profile& base) {
  const Json& root = as_object(doc, "the document");
  check_keys(root, "the document",
             {"format", "version", "machine", "created", "tandem", "quick", "transfer", "entries"},
             {"format", "version", "machine", "entries"});
  if (get_string(root, "format") != kFormat) bad("'format' is not \"tandem-profile\"");
  if (get_number(root, "version") != kVersion) {
    bad("'version' is not " + std::to_string(kVersion));
  }
  Profile p = base;
  const Json& m = as_object(root.at("machine"), "'machine'");
  check_keys(m, "'machine'", {"cpu", "threads", "gpu", "driver"},
             {"cpu", "threads", "gpu", "driver"});
  p.machine.cpu = get_string(m, "cpu");
  p.machine.threads = get_count(m, "threads", 1, kMaxCount);
  p.machine.gpu = get_string(m, "gpu");
  p.machine.driver = get_string(m, "driver");
  if (root.contains("created")) p.created = get_string(root, "created");
  if (root.contains("tandem")) p.version = get_string(root, "tandem");
  if (root.contains("quick")) {
    if (!root.at("quick").is_boolean()) bad("'quick' must be true or false");
    p.quick = root.at("quick").get<bool>();
  }
  if (root.contains("transfer")) {
    const Json& t = as_object(root.at("transfer"), "'transfer'");
    const std::set<std::string> keys{"host_to_device_bytes_per_second",
                                     "device_to_host_bytes_per_second"};
    check_keys(t, "'transfer'", keys, keys);
    p.h2d = get_number(t, "host_to_device_bytes_per_second");
    p.d2h = get_number(t, "device_to_host_bytes_per_second");
    for (const double bw : {p.h2d, p.d2h}) {
      if (!plausible_bandwidth(bw)) {
        bad("a transfer bandwidth of " + num(bw) + " B/s is implausible (valid: " +
            num(kMinBandwidth) + " to " + num(kMaxBandwidth) + ")");
      }
    }
    p.transfer_measured = true;
  }
  const Json& entries = root.at("entries");
  if (!entries.is_array()) bad("'entries' must be an array");
  std::set<std::size_t> seen;
  for (const Json& e : entries) {
    const Json& o = as_object(e, "an entry");
    const std::set<std::string> required{
        "backend",          "workload",  "dtype", "overhead_seconds",
        "seconds_per_unit", "fit_error", "points"};
    std::set<std::string> allowed = required;
    allowed.insert("samples");  // optional: an affine fit alone is a valid entry
    allowed.insert("one_thread_up_to_work");
    check_keys(o, "an entry", allowed, required);
    const Backend b = get_enum(o, "backend", kBackends);
    const Workload w = get_enum(o, "workload", kWorkloads);
    const DType d = get_enum(o, "dtype", kDTypes);
    const std::string name = std::string(to_string(b)) + " " + std::string(to_string(w)) + " " +
                             std::string(to_string(d));
    if (!workload_has_dtype(w, d)) bad("an entry names " + name + ", which does not exist");
    if (!seen.insert(Profile::index(b, w, d)).second) bad("two entries for " + name);
    Coefficients& c = p.at(b, w, d);
    c = Coefficients{};
    c.overhead = get_number(o, "overhead_seconds");
    c.per_unit = get_number(o, "seconds_per_unit");
    if (!plausible_overhead(c.overhead)) {
      bad(name + ": an overhead of " + num(c.overhead) + " s is implausible (valid: 0 to " +
          num(kMaxOverhead) + ")");
    }
    if (!plausible_per_unit(c.per_unit)) {
      bad(name + ": " + num(c.per_unit) + " s per unit is implausible (valid: " + num(kMinPerUnit) +
          " to " + num(kMaxPerUnit) + ")");
    }
    c.fit_error = get_number(o, "fit_error");
    c.points = get_count(o, "points", 0, kMaxCount);
    if (o.contains("samples")) read_samples(o.at("samples"), name, &c);
    if (o.contains("one_thread_up_to_work")) {
      if (b != Backend::openmp) bad(name + ": 'one_thread_up_to_work' is openmp's only");
      c.one_thread_up_to = get_number(o, "one_thread_up_to_work");
    }
    c.measured = true;
  }
  return p;
}

// Parses `text` as one JSON document: no duplicate keys, at most kMaxDepth levels.
Json parse_strict(const std::string& text) {
  std::vector<std::set<std::string>> keys;  // one set per open object
  const Json::parser_callback_t check = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (depth > kMaxDepth) bad("nested too deeply");
    switch (event) {
      case Json::parse_event_t::object_start:
        keys.emplace_back();
        break;
      case Json::parse_event_t::object_end:
        if (!keys.empty()) keys.pop_back();
        break;
      case Json::parse_event_t::key: {
        const std::string& k = parsed.get_ref<const std::string&>();
        if (keys.empty() || !keys.back().insert(k).second) {
          bad("duplicate key '" + plain_copy(k) + "'");
        }
        break;
      }
      default:
        break;
    }
    return true;
  };
  // Strict: no comments, trailing bytes are an error (the parser's default).
  return Json::parse(text, check, /*allow_exceptions=*/true, /*ignore_comments=*/false);
}

}  // namespace

std::string MachineKey::str() const {
  return cpu + ", " + std::to_string(threads) + " threads, GPU: " + gpu + ", driver: " + driver;
}

std::string MachineKey::hash() const {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (char c : str()) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string to_json(const Profile& p) {
  Json doc;
  doc["format"] = kFormat;
  doc["version"] = kVersion;
  doc["machine"] = {{"cpu", plain_copy(p.machine.cpu)},
                    {"threads", p.machine.threads},
                    {"gpu", plain_copy(p.machine.gpu)},
                    {"driver", plain_copy(p.machine.driver)}};
  doc["created"] = plain_copy(p.created);
  doc["tandem"] = plain_copy(p.version);
  doc["quick"] = p.quick;
  if (p.transfer_measured) {
    doc["transfer"] = {{"host_to_device_bytes_per_second", p.h2d},
                       {"device_to_host_bytes_per_second", p.d2h}};
  }
  Json entries = Json::array();
  for (Backend b : kBackends) {
    for (Workload w : kWorkloads) {
      for (DType d : kDTypes) {
        if (!workload_has_dtype(w, d)) continue;
        const Coefficients& c = p.at(b, w, d);
        if (!c.measured) continue;
        Json e = {{"backend", to_string(b)},
                  {"workload", to_string(w)},
                  {"dtype", to_string(d)},
                  {"overhead_seconds", c.overhead},
                  {"seconds_per_unit", c.per_unit},
                  {"fit_error", c.fit_error},
                  {"points", c.points}};
        if (c.sample_count > 0) {
          Json samples = Json::array();
          for (int i = 0; i < c.sample_count; ++i) {
            const Sample& s = c.samples[static_cast<std::size_t>(i)];
            samples.push_back(Json::array({s.work, s.seconds}));
          }
          e["samples"] = std::move(samples);
        }
        if (c.one_thread_up_to > 0) e["one_thread_up_to_work"] = c.one_thread_up_to;
        entries.push_back(std::move(e));
      }
    }
  }
  doc["entries"] = std::move(entries);
  // nlohmann's dump writes the shortest text that reads back to the same double, and does not
  // depend on the C or C++ locale.
  return doc.dump(2) + "\n";
}

std::optional<Profile> parse_profile(const std::string& text, const Profile& base,
                                     std::string* error) {
  try {
    return from_json(parse_strict(text), base);
  } catch (const std::exception& e) {
    if (error != nullptr) *error = e.what();
    return std::nullopt;
  }
}

bool plausible_overhead(double s) noexcept { return s >= 0 && s <= kMaxOverhead; }
bool plausible_per_unit(double s) noexcept { return s >= kMinPerUnit && s <= kMaxPerUnit; }
bool plausible_bandwidth(double b) noexcept { return b >= kMinBandwidth && b <= kMaxBandwidth; }
bool plausible_sample_seconds(double s) noexcept {
  return s >= kMinSampleSeconds && s <= kMaxSampleSeconds;
}

static std::string describe_file_type(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return "";
    case S_IFLNK:
      return "is a symbolic link";
    case S_IFDIR:
      return "is a directory";
    case S_IFCHR:
      return "is a character device";
    case S_IFBLK:
      return "is a block device";
    case S_IFIFO:
      return "is a FIFO";
    case S_IFSOCK:
      return "is a socket";
    default:
      return "is not a regular file";
  }
}

std::string profile_path_problem(const std::string& path) {
  if (path.empty()) return "empty path";
  if (path.find('\0') != std::string::npos) return "contains a NUL byte";
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    std::string what = describe_file_type(st.st_mode);
    if (!what.empty()) return what + " (a profile is written only to a regular file or a new path)";
    // A read-only profile is not replaced, though the rename could.
    if (::access(path.c_str(), W_OK) != 0) return "is not writable (" + errno_text(errno) + ")";
  } else if (errno == ENOTDIR) {
    return "has a parent that is not a directory";
  } else if (errno != ENOENT) {
    return "cannot be inspected (" + errno_text(errno) + ")";
  }
  // The temporary file is created next to it: the nearest existing ancestor must be a folder we
  // may write in (missing folders below it are created).
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  while (true) {
    const std::string d = dir.empty() ? "." : dir.string();
    if (::stat(d.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) return "has a parent '" + d + "' that is not a directory";
      if (::access(d.c_str(), W_OK | X_OK) != 0) {
        return "is in a folder '" + d + "' that is not writable (" + errno_text(errno) + ")";
      }
      return "";
    }
    if (errno != ENOENT)
      return "has a parent '" + d + "' that cannot be inspected (" + errno_text(errno) + ")";
    if (dir.empty() || dir == dir.root_path()) return "has no existing parent folder";
    dir = dir.parent_path();
  }
}

LoadResult load_profile_file(const std::string& path, const MachineKey& machine,
                             const Profile& base) {
  LoadResult r;
  if (path.empty()) {
    r.status = "not found";
    return r;
  }
  // O_NONBLOCK: opening a FIFO must not wait for a writer. What was opened is checked on the
  // descriptor itself (no check-then-open race); only a regular file is read, and at most
  // kMaxProfileBytes + 1 bytes of it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int e = errno;
    if (e == ENOENT) {
      r.status = "not found";
    } else {
      r.warn = true;
      r.status = "ignored: unreadable (" + errno_text(e) + ")";
    }
    return r;
  }
  r.warn = true;
  std::string text;
  {
    struct stat st {};
    const bool ok = ::fstat(fd, &st) == 0;
    if (!ok || !S_ISREG(st.st_mode)) {
      r.status = ok ? "ignored: not a regular file (" + describe_file_type(st.st_mode) + ")"
                    : "ignored: unreadable (" + errno_text(errno) + ")";
      ::close(fd);
      return r;
    }
    // /proc files (kmsg: blocking, and reading it consumes the kernel log) report size 0, as does
    // an empty file, which is corrupt anyway: neither is read.
    if (st.st_size == 0) {
      r.status = "ignored: corrupt (empty, or a file with no size such as one in /proc)";
      ::close(fd);
      return r;
    }
    char buf[16384];
    while (text.size() <= kMaxProfileBytes) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        r.status = "ignored: unreadable (" + errno_text(errno) + ")";
        ::close(fd);
        return r;
      }
      if (n == 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
  }
  if (text.size() > kMaxProfileBytes) {
    r.status = "ignored: corrupt (larger than " + std::to_string(kMaxProfileBytes) + " bytes)";
    return r;
  }
  std::string error;
  std::optional<Profile> p = parse_profile(text, base, &error);
  if (!p) {
    r.status = "ignored: corrupt (" + error + ")";
    return r;
  }
  if (!(p->machine == machine)) {
    r.status = "ignored: measured on another machine (" + p->machine.str() + ")";
    return r;
  }
  r.profile = std::move(p);
  r.status = "loaded";
  r.warn = false;
  return r;
}

std::string save_profile_file(const std::string& path, const Profile& p) {
  namespace fs = std::filesystem;
  if (std::string why = profile_path_problem(path); !why.empty()) return "'" + path + "' " + why;
  std::error_code ec;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::create_directories(dir, ec);
  if (ec) return "cannot create " + dir.string() + ": " + ec.message();

  // A fresh name created exclusively (O_CREAT | O_EXCL: an existing name, a planted symbolic
  // link included, is never opened), in the target's folder so that the rename is atomic.
  std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return "cannot create a temporary file in " + dir.string() + ": " + errno_text(errno);
  const auto fail = [&](const std::string& what, int e) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return what + ": " + errno_text(e);
  };
  const std::string text = to_json(p);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write " + tmp, errno);
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0) return fail("cannot set the mode of " + tmp, errno);
  if (::fsync(fd) != 0) return fail("cannot write " + tmp, errno);
  if (::close(fd) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return "cannot write " + tmp + ": " + errno_text(e);
  }
  // Checked again just before the rename, which would replace a device node or a FIFO that
  // appeared meanwhile (rename never follows a symbolic link: it would replace the link).
  if (std::string why = profile_path_problem(path); !why.empty()) {
    ::unlink(tmp.c_str());
    return "'" + path + "' " + why;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return "cannot rename " + tmp + " to " + path + ": " + errno_text(e);
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {  // makes the rename durable; a failure here loses nothing already written
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

std::string profile_path(const char* tandem_profile, const char* xdg_cache_home, const char* home,
                         const MachineKey& machine) {
  if (tandem_profile != nullptr && *tandem_profile != '\0') return tandem_profile;
  std::string cache;
  if (xdg_cache_home != nullptr && xdg_cache_home[0] == '/') {
    cache = xdg_cache_home;  // the XDG spec ignores relative paths
  } else if (home != nullptr && *home != '\0') {
    cache = std::string(home) + "/.cache";
  } else {
    return {};
  }
  return cache + "/tandem/profile-" + machine.hash() + ".json";
}

}  // namespace tandem::detail

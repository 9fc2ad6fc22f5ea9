#include "profile.hpp"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <unistd.h>

namespace tandem::detail {

namespace {

constexpr const char* kFormat = "tandem-profile";
constexpr int kVersion = 1;
constexpr std::size_t kMaxFileBytes = 1 << 20;
constexpr int kMaxDepth = 8;

// ---- a minimal JSON value and a strict parser ------------------------------------------------

struct Json;
using JsonObject = std::map<std::string, Json>;
using JsonArray = std::vector<Json>;
struct Json {
  std::variant<std::nullptr_t, bool, double, std::string, JsonArray, JsonObject> v;
};

class Parser {
 public:
  explicit Parser(const std::string& text) : s_(text) {}

  Json document() {
    Json j = value(0);
    skip_blanks();
    if (pos_ != s_.size()) fail("unexpected bytes after the document");
    return j;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(what + " at byte " + std::to_string(pos_));
  }
  void skip_blanks() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool eat(char c) {
    skip_blanks();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail(std::string("expected '") + c + "'");
  }
  bool literal(const char* word) {
    const std::string w(word);
    if (s_.compare(pos_, w.size(), w) != 0) return false;
    pos_ += w.size();
    return true;
  }

  Json value(int depth) {
    if (depth > kMaxDepth) fail("nested too deeply");
    skip_blanks();
    if (pos_ >= s_.size()) fail("unexpected end");
    const char c = s_[pos_];
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') return Json{string()};
    if (literal("true")) return Json{true};
    if (literal("false")) return Json{false};
    if (literal("null")) return Json{nullptr};
    return Json{number()};
  }

  Json object(int depth) {
    expect('{');
    JsonObject o;
    if (eat('}')) return Json{std::move(o)};
    do {
      skip_blanks();
      if (pos_ >= s_.size() || s_[pos_] != '"') fail("expected a key");
      std::string key = string();
      expect(':');
      Json v = value(depth + 1);
      if (!o.emplace(key, std::move(v)).second) fail("duplicate key '" + key + "'");
    } while (eat(','));
    expect('}');
    return Json{std::move(o)};
  }

  Json array(int depth) {
    expect('[');
    JsonArray a;
    if (eat(']')) return Json{std::move(a)};
    do {
      a.push_back(value(depth + 1));
    } while (eat(','));
    expect(']');
    return Json{std::move(a)};
  }

  // Strings of this schema are plain text: escapes \" \\ \/ \n \t and \uXXXX below 0x80 only.
  std::string string() {
    ++pos_;  // the opening quote
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) fail("unterminated string");
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) fail("unterminated escape");
      const char e = s_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          if (pos_ + 4 > s_.size()) fail("short \\u escape");
          unsigned code = 0;
          for (int i = 0; i < 4; ++i) {
            const char h = s_[pos_++];
            code <<= 4;
            if (h >= '0' && h <= '9') {
              code |= static_cast<unsigned>(h - '0');
            } else if (h >= 'a' && h <= 'f') {
              code |= static_cast<unsigned>(h - 'a' + 10);
            } else if (h >= 'A' && h <= 'F') {
              code |= static_cast<unsigned>(h - 'A' + 10);
            } else {
              fail("bad \\u escape");
            }
          }
          if (code >= 0x80) fail("\\u escape beyond ASCII");
          out += static_cast<char>(code);
          break;
        }
        default:
          fail("bad escape");
      }
    }
  }

  // RFC 8259 number grammar, converted with strtod.
  double number() {
    const std::size_t start = pos_;
    const auto digit = [&] { return pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9'; };
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    if (!digit()) fail("expected a value");
    if (s_[pos_] == '0') {
      ++pos_;
    } else {
      while (digit()) ++pos_;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digit()) fail("bad number");
      while (digit()) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digit()) fail("bad number");
      while (digit()) ++pos_;
    }
    const std::string text = s_.substr(start, pos_ - start);
    errno = 0;
    const double v = std::strtod(text.c_str(), nullptr);
    if (errno == ERANGE || !std::isfinite(v)) fail("number out of range");
    return v;
  }

  const std::string& s_;
  std::size_t pos_ = 0;
};

// ---- schema checks ---------------------------------------------------------------------------

[[noreturn]] void bad(const std::string& what) { throw std::runtime_error(what); }

const JsonObject& as_object(const Json& j, const std::string& what) {
  const auto* o = std::get_if<JsonObject>(&j.v);
  if (o == nullptr) bad(what + " must be an object");
  return *o;
}

// Checks that `o` has only the `allowed` keys and all of the `required` ones.
void check_keys(const JsonObject& o, const std::string& what, std::set<std::string> allowed,
                const std::set<std::string>& required) {
  for (const auto& [k, v] : o) {
    if (allowed.count(k) == 0) bad(what + " has an unexpected key '" + k + "'");
  }
  for (const auto& k : required) {
    if (o.count(k) == 0) bad(what + " lacks '" + k + "'");
  }
}

const std::string& get_string(const JsonObject& o, const std::string& key) {
  const auto* s = std::get_if<std::string>(&o.at(key).v);
  if (s == nullptr) bad("'" + key + "' must be a string");
  return *s;
}

double get_number(const JsonObject& o, const std::string& key) {
  const auto* d = std::get_if<double>(&o.at(key).v);
  if (d == nullptr) bad("'" + key + "' must be a number");
  if (*d < 0) bad("'" + key + "' must not be negative");
  return *d;
}

int get_count(const JsonObject& o, const std::string& key, int max) {
  const double d = get_number(o, key);
  if (d != std::floor(d) || d > max)
    bad("'" + key + "' must be an integer up to " + std::to_string(max));
  return static_cast<int>(d);
}

template <class E, std::size_t N>
E get_enum(const JsonObject& o, const std::string& key, const E (&values)[N]) {
  const std::string& s = get_string(o, key);
  for (E e : values) {
    if (to_string(e) == s) return e;
  }
  bad("'" + key + "' has an unknown value '" + s + "'");
}

constexpr Backend kBackends[] = {Backend::serial, Backend::openmp, Backend::cuda};
constexpr Workload kWorkloads[] = {Workload::map, Workload::matmul, Workload::polynomial_grid,
                                   Workload::mse};
constexpr DType kDTypes[] = {DType::f32, DType::f64, DType::i32, DType::i64};

Profile from_json(const Json& doc, const Profile& base) {
  const JsonObject& root = as_object(doc, "the document");
  check_keys(root, "the document",
             {"format", "version", "machine", "created", "tandem", "quick", "transfer", "entries"},
             {"format", "version", "machine", "entries"});
  if (get_string(root, "format") != kFormat) bad("'format' is not \"tandem-profile\"");
  if (get_number(root, "version") != kVersion) {
    bad("'version' is not " + std::to_string(kVersion));
  }
  Profile p = base;
  const JsonObject& m = as_object(root.at("machine"), "'machine'");
  check_keys(m, "'machine'", {"cpu", "threads", "gpu", "driver"},
             {"cpu", "threads", "gpu", "driver"});
  p.machine.cpu = get_string(m, "cpu");
  p.machine.threads = get_count(m, "threads", 1 << 20);
  p.machine.gpu = get_string(m, "gpu");
  p.machine.driver = get_string(m, "driver");
  if (root.count("created") != 0) p.created = get_string(root, "created");
  if (root.count("tandem") != 0) p.version = get_string(root, "tandem");
  if (root.count("quick") != 0) {
    const auto* q = std::get_if<bool>(&root.at("quick").v);
    if (q == nullptr) bad("'quick' must be true or false");
    p.quick = *q;
  }
  if (root.count("transfer") != 0) {
    const JsonObject& t = as_object(root.at("transfer"), "'transfer'");
    const std::set<std::string> keys{"host_to_device_bytes_per_second",
                                     "device_to_host_bytes_per_second"};
    check_keys(t, "'transfer'", keys, keys);
    p.h2d = get_number(t, "host_to_device_bytes_per_second");
    p.d2h = get_number(t, "device_to_host_bytes_per_second");
    if (p.h2d <= 0 || p.d2h <= 0) bad("transfer bandwidths must be positive");
    p.transfer_measured = true;
  }
  const auto* entries = std::get_if<JsonArray>(&root.at("entries").v);
  if (entries == nullptr) bad("'entries' must be an array");
  std::set<std::size_t> seen;
  for (const Json& e : *entries) {
    const JsonObject& o = as_object(e, "an entry");
    const std::set<std::string> keys{"backend",          "workload",  "dtype", "overhead_seconds",
                                     "seconds_per_unit", "fit_error", "points"};
    check_keys(o, "an entry", keys, keys);
    const Backend b = get_enum(o, "backend", kBackends);
    const Workload w = get_enum(o, "workload", kWorkloads);
    const DType d = get_enum(o, "dtype", kDTypes);
    if (!workload_has_dtype(w, d))
      bad("an entry names " + std::string(to_string(w)) + " " + std::string(to_string(d)) +
          ", which does not exist");
    if (!seen.insert(Profile::index(b, w, d)).second) {
      bad("two entries for " + std::string(to_string(b)) + " " + std::string(to_string(w)) + " " +
          std::string(to_string(d)));
    }
    Coefficients& c = p.at(b, w, d);
    c.overhead = get_number(o, "overhead_seconds");
    c.per_unit = get_number(o, "seconds_per_unit");
    c.fit_error = get_number(o, "fit_error");
    c.points = get_count(o, "points", 1 << 20);
    c.measured = true;
  }
  return p;
}

// ---- writing ---------------------------------------------------------------------------------

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u >= 0x80) {
      out += '?';  // the schema's strings are ASCII
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

bool workload_has_dtype(Workload w, DType d) noexcept {
  return w != Workload::mse || d == DType::f32 || d == DType::f64;
}

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
  std::ostringstream o;
  o << "{\n  \"format\": " << quoted(kFormat) << ",\n  \"version\": " << kVersion
    << ",\n  \"machine\": {\"cpu\": " << quoted(p.machine.cpu)
    << ", \"threads\": " << p.machine.threads << ", \"gpu\": " << quoted(p.machine.gpu)
    << ", \"driver\": " << quoted(p.machine.driver) << "},\n  \"created\": " << quoted(p.created)
    << ",\n  \"tandem\": " << quoted(p.version)
    << ",\n  \"quick\": " << (p.quick ? "true" : "false");
  if (p.transfer_measured) {
    o << ",\n  \"transfer\": {\"host_to_device_bytes_per_second\": " << number(p.h2d)
      << ", \"device_to_host_bytes_per_second\": " << number(p.d2h) << "}";
  }
  o << ",\n  \"entries\": [";
  bool first = true;
  for (Backend b : kBackends) {
    for (Workload w : kWorkloads) {
      for (DType d : kDTypes) {
        if (!workload_has_dtype(w, d)) continue;
        const Coefficients& c = p.at(b, w, d);
        if (!c.measured) continue;
        o << (first ? "\n" : ",\n") << "    {\"backend\": " << quoted(std::string(to_string(b)))
          << ", \"workload\": " << quoted(std::string(to_string(w)))
          << ", \"dtype\": " << quoted(std::string(to_string(d)))
          << ", \"overhead_seconds\": " << number(c.overhead)
          << ", \"seconds_per_unit\": " << number(c.per_unit)
          << ", \"fit_error\": " << number(c.fit_error) << ", \"points\": " << c.points << "}";
        first = false;
      }
    }
  }
  o << (first ? "]\n}\n" : "\n  ]\n}\n");
  return o.str();
}

std::optional<Profile> parse_profile(const std::string& text, const Profile& base,
                                     std::string* error) {
  try {
    Parser parser(text);
    return from_json(parser.document(), base);
  } catch (const std::exception& e) {
    if (error != nullptr) *error = e.what();
    return std::nullopt;
  }
}

LoadResult load_profile_file(const std::string& path, const MachineKey& machine,
                             const Profile& base) {
  LoadResult r;
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec)) {
    r.status = "not found";
    return r;
  }
  r.warn = true;
  if (!std::filesystem::is_regular_file(path, ec)) {
    r.status = "ignored: not a regular file";
    return r;
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxFileBytes) {
    r.status = ec ? "ignored: unreadable (" + ec.message() + ")" : "ignored: corrupt (too large)";
    return r;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) {
    r.status = "ignored: unreadable";
    return r;
  }
  std::string error;
  std::optional<Profile> p = parse_profile(text.str(), base, &error);
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
  std::error_code ec;
  const fs::path target(path);
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) return "cannot create " + target.parent_path().string() + ": " + ec.message();
  }
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << to_json(p);
    out.close();
    if (!out) {
      fs::remove(tmp, ec);
      return "cannot write " + tmp;
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    return "cannot rename " + tmp + " to " + path + ": " + ec.message();
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

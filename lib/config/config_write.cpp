// `config use-context`: rewrites the current-context line in place so comments and layout survive, and
// replaces the file atomically (temp file in the same directory, fsync, rename).
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "config/config.h"
#include "config/config_file.h"
#include "core/error.h"
#include "util/files.h"

namespace opsctl::config {
namespace {

constexpr std::string_view kKey = "current-context";

// The name as a YAML scalar: plain when that reads back as the same string, else double-quoted.
std::string yaml_scalar(const std::string& s) {
  static constexpr std::string_view kSpecial[] = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"};
  bool plain = !s.empty() && std::isalnum(static_cast<unsigned char>(s[0]));
  for (char ch : s) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.' || ch == '/');
  }
  std::string lower;
  for (char ch : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (std::string_view w : kSpecial) plain = plain && lower != w;
  if (plain) return s;
  YAML::Emitter e;
  e << YAML::DoubleQuoted << s;
  return e.c_str();
}

// End of the scalar token starting at pos on one line, or npos when it does not end on this line
// (multi-line quoted) or is not a simple scalar (block scalar, alias, tag, anchor, flow collection).
std::size_t scalar_end(std::string_view line, std::size_t pos) {
  if (pos >= line.size()) return std::string_view::npos;
  const char q = line[pos];
  if (q == '\'') {
    for (std::size_t i = pos + 1; i < line.size(); ++i) {
      if (line[i] != '\'') continue;
      if (i + 1 < line.size() && line[i + 1] == '\'') { ++i; continue; }
      return i + 1;
    }
    return std::string_view::npos;
  }
  if (q == '"') {
    for (std::size_t i = pos + 1; i < line.size(); ++i) {
      if (line[i] == '\\') { ++i; continue; }
      if (line[i] == '"') return i + 1;
    }
    return std::string_view::npos;
  }
  if (std::string_view("|>&*!{[").find(q) != std::string_view::npos) return std::string_view::npos;
  std::size_t end = line.size();
  for (std::size_t i = pos + 1; i < line.size(); ++i) {
    if (line[i] == '#' && (line[i - 1] == ' ' || line[i - 1] == '\t')) { end = i; break; }
  }
  while (end > pos && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
  return end;
}

// The text with the top-level current-context line set to name (inserted before the first key when
// absent), or nullopt when the layout is not the simple block form this edit understands.
std::optional<std::string> edit_in_place(const std::string& text, const std::string& name) {
  const YAML::Node root = YAML::Load(text);
  if (!root.IsMap() || root.size() == 0) return std::nullopt;
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl == std::string::npos ? std::string::npos : nl + 1 - start));
    start = nl == std::string::npos ? text.size() : nl + 1;
  }
  const bool crlf = !lines.empty() && lines[0].size() >= 2 && lines[0].ends_with("\r\n");
  const std::string eol = crlf ? "\r\n" : "\n";
  const std::string replacement = std::string(kKey) + ": " + yaml_scalar(name);

  const auto first = root.begin();
  const YAML::Mark first_mark = first->first.Mark();
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (it->first.Scalar() != kKey) continue;
    const YAML::Mark km = it->first.Mark();
    if (km.column != 0 || km.line < 0 || static_cast<std::size_t>(km.line) >= lines.size()) return std::nullopt;
    std::string& line = lines[static_cast<std::size_t>(km.line)];
    std::string_view body(line);
    const std::size_t eol_len = body.ends_with("\r\n") ? 2 : body.ends_with('\n') ? 1 : 0;
    body.remove_suffix(eol_len);
    if (!body.starts_with(kKey)) return std::nullopt;  // a quoted key
    std::size_t pos = body.find_first_not_of(" \t", kKey.size());
    if (pos == std::string_view::npos || body[pos] != ':') return std::nullopt;
    pos = body.find_first_not_of(" \t", pos + 1);
    std::size_t end = pos;
    if (pos != std::string_view::npos && body[pos] != '#') {
      const YAML::Node v = it->second;  // a copy: it-> returns a short-lived proxy
      const bool same_line = v.IsNull() || (v.IsScalar() && v.Mark().line == km.line);
      end = same_line ? scalar_end(body, pos) : std::string_view::npos;
      if (end == std::string_view::npos) return std::nullopt;
      if (body[pos] != '\'' && body[pos] != '"' && !v.IsNull() && body.substr(pos, end - pos) != v.Scalar()) {
        return std::nullopt;  // a plain scalar continued on the next lines
      }
    }
    std::string tail = pos == std::string_view::npos ? std::string() : std::string(body.substr(end));
    const std::size_t comment = tail.find_first_not_of(" \t");
    if (comment == std::string::npos) tail.clear();
    else if (tail[comment] != '#') return std::nullopt;
    else if (comment == 0) tail.insert(0, " ");  // "current-context: # note" had its space before the value
    line = replacement + tail + line.substr(line.size() - eol_len);
    std::string out;
    for (const std::string& l : lines) out += l;
    return out;
  }
  // No current-context yet: put it above the first key, below any header comment.
  if (first_mark.column != 0 || first_mark.line < 0 || static_cast<std::size_t>(first_mark.line) >= lines.size()) {
    return std::nullopt;
  }
  lines.insert(lines.begin() + first_mark.line, replacement + eol);
  std::string out;
  for (const std::string& l : lines) out += l;
  return out;
}

// Whether text parses to the same config as before, but for current-context set to name.
bool is_expected(const std::string& text, const Config& before, const std::string& name) {
  try {
    nlohmann::json expected = redacted_view(before);
    expected["current_context"] = name;
    return redacted_view(detail::parse_config(text, before.path)) == expected;
  } catch (const Error&) {
    return false;
  }
}

void write_atomically(const std::filesystem::path& target, const std::string& text, const struct stat& st,
                      const std::filesystem::path& shown) {
  // Keep the file's mode and owner (when root): use-context must not widen or hand over a config.
  const util::AtomicFileMode mode{static_cast<mode_t>(st.st_mode & 07777), st.st_uid, st.st_gid};
  if (auto e = util::write_file_atomic(target, text, mode)) {
    throw config_error(fmt::format("{}: cannot write config file: {}", shown.string(), util::errno_text(e->err)));
  }
}

}  // namespace

void use_context(const std::filesystem::path& path, const std::string& name) {
  // Write through a symlink (dotfile managers) instead of replacing it with a regular file.
  std::error_code ec;
  std::filesystem::path target = path;
  if (std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec))) {
    target = std::filesystem::canonical(path, ec);
    if (ec) {
      throw config_error(
          fmt::format("{}: cannot resolve symlink: {}", path.string(), util::errno_text(ec.value())));
    }
  }
  const std::optional<std::string> text = detail::read_text_file(target, "config file");
  if (!text) throw config_error(fmt::format("{}: cannot read config file: no such file", path.string()));
  const Config cfg = detail::parse_config(*text, path);
  if (!cfg.find(name)) {
    throw config_error(fmt::format("{}: no context \"{}\" ({})", path.string(), name, detail::context_names(cfg)));
  }
  std::optional<std::string> updated = edit_in_place(*text, name);
  if (!updated || !is_expected(*updated, cfg, name)) {
    // An unusual layout (flow style, multi-line value): re-emit the tree; correct, but comments are lost.
    YAML::Node root = YAML::Load(*text);
    root[std::string(kKey)] = name;
    YAML::Emitter e;
    e << root;
    updated = std::string(e.c_str()) + "\n";
    if (!is_expected(*updated, cfg, name)) {
      throw config_error(
          fmt::format("{}: cannot rewrite current-context safely; edit the file by hand", path.string()));
    }
  }
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) {
    throw config_error(fmt::format("{}: cannot write config file: {}", path.string(), util::errno_text(errno)));
  }
  write_atomically(target, *updated, st, path);
}

}  // namespace opsctl::config

#include "quoteframe/util/toml.hpp"

#include <dirent.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <system_error>
#include <unordered_map>

#include "quoteframe/errors.hpp"

namespace quoteframe::util {

namespace {

constexpr std::size_t kShownKeyBytes = 60;  // longer keys are cut in messages

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_oct(char c) { return c >= '0' && c <= '7'; }
bool is_bin(char c) { return c == '0' || c == '1'; }
bool is_bare_key_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}
// Characters that can make up an unquoted value: numbers, booleans, and
// enough of a date or time to recognise and reject one.
bool is_token_char(char c) { return is_bare_key_char(c) || c == '+' || c == '.' || c == ':'; }

std::string hex(unsigned value, int width) {
  static const char* digits = "0123456789ABCDEF";
  std::string out(static_cast<std::size_t>(width), '0');
  for (int i = width - 1; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = digits[value & 0xF];
  return out;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Cuts `s` to at most `limit` bytes without splitting a UTF-8 sequence.
std::string_view shorten(std::string_view s, std::size_t limit, bool& cut) {
  cut = s.size() > limit;
  if (!cut) return s;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

// Shows a key inside single quotes in a problem text: shortened, with
// control characters escaped so a message always stays on one line.
std::string in_quotes(std::string_view key) {
  bool cut = false;
  std::string out = "'";
  for (char c : shorten(key, kShownKeyBytes, cut)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) out += "\\u" + hex(u, 4);
    else out += c;
  }
  if (cut) out += "...";
  return out + "'";
}

// Levenshtein distance, for "did you mean" hints on short keys.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      std::size_t sub = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({sub, row[j] + 1, row[j - 1] + 1});
      diag = up;
    }
  }
  return row[b.size()];
}

// One pass over the raw bytes before parsing: valid UTF-8 (no overlongs, no
// surrogates), no control characters but tab and line ends, and every CR
// followed by LF. After it the parser only has to deal with '\n' and "\r\n".
void check_bytes(std::string_view s, const std::string& source) {
  int line = 1;
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto bad_utf8 = [&](std::size_t at) {
    throw ConfigError(source, line, "",
                      "invalid UTF-8 (byte 0x" + hex(static_cast<unsigned char>(s[at]), 2) +
                          " at offset " + std::to_string(at) + "); save the file as UTF-8");
  };
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '\n') {
        ++line;
      } else if (c == '\r') {
        if (i + 1 >= n || s[i + 1] != '\n')
          throw ConfigError(source, line, "", "carriage return not followed by a line feed");
      } else if ((c < 0x20 && c != '\t') || c == 0x7F) {
        throw ConfigError(source, line, "",
                          "control character U+" + hex(c, 4) +
                              " is not allowed (write it as an escape inside a \"...\" string)");
      }
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0, min = 0;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
    else bad_utf8(i);
    if (i + len > n) bad_utf8(i);
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) bad_utf8(i);
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) bad_utf8(i);
    i += len;
  }
}

// Parser bookkeeping for a table that later lines may still extend, kept
// beside the Value tree. Indices rather than pointers into the tree, because
// vectors of Values move when they grow; Meta objects themselves never move.
struct Meta {
  enum class State {
    Root,           // the document's root table
    Implicit,       // created as the parent of a header: may get its own header once
    Header,         // opened by [header]
    Dotted,         // created by a dotted key: only dotted keys of its section extend it
    Inline,         // an inline table being parsed (its Meta is dropped afterwards)
    ArrayOfTables,  // [[header]]: `elements` parallels the array
  };
  Meta(State s, const Meta* p, std::string n, long i, int d)
      : state(s), parent(p), name(std::move(n)), index(i), depth(d) {}

  State state;
  const Meta* parent;  // for error paths only
  std::string name;    // key in the parent; unused when index >= 0
  long index;          // position in the parent array of tables, else -1
  int depth;           // nesting depth of the value it describes
  std::unordered_map<std::string, std::size_t> slot;  // key -> position in Value::table
  std::vector<std::unique_ptr<Meta>> sub;  // parallels Value::table; null = frozen value
  std::vector<std::unique_ptr<Meta>> elements;
};

void append_key(std::string& path, std::string_view key) {
  if (!path.empty()) path += '.';
  path += display_key(key);
}

void append_index(std::string& path, std::size_t index) {
  path += '[';
  path += std::to_string(index);
  path += ']';
}

std::string meta_path(const Meta* m) {
  std::vector<const Meta*> chain;
  for (; m != nullptr && m->state != Meta::State::Root; m = m->parent) chain.push_back(m);
  std::string path;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if ((*it)->index >= 0) append_index(path, static_cast<std::size_t>((*it)->index));
    else append_key(path, (*it)->name);
  }
  return path;
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& source) : s_(text), source_(source) {}

  Value run() {
    if (s_.size() > kMaxTomlBytes)
      throw ConfigError(source_, 0, "",
                        "the text is larger than " + std::to_string(kMaxTomlBytes >> 20) + " MiB");
    check_bytes(s_, source_);
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    root_.kind = Value::Kind::Table;
    root_.line = 0;
    cur_ = &root_;
    cur_meta_ = &root_meta_;
    while (true) {
      skip_ws();
      if (eof()) break;
      if (peek() == '#') { skip_comment(); continue; }
      if (at_newline()) { consume_newline(); continue; }
      if (peek() == '[') {
        parse_header();
        end_of_line("the table header");
      } else {
        const std::vector<std::string> key = parse_keyval(*cur_, *cur_meta_);
        end_of_line("the value", &key);
      }
    }
    return std::move(root_);
  }

 private:
  // A step of the key path of the value being parsed, for error fields.
  struct Step {
    std::string_view key;
    long index;  // >= 0: an array position
  };

  // ---- low-level scanning ----------------------------------------------
  bool eof() const { return pos_ >= s_.size(); }
  // '\0' past the end: the byte check guarantees no NUL inside the text.
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0';
  }
  bool at_newline() const { return peek() == '\n' || (peek() == '\r' && peek(1) == '\n'); }
  void consume_newline() {
    pos_ += peek() == '\r' ? 2 : 1;
    ++line_;
  }
  void skip_ws() {
    while (peek() == ' ' || peek() == '\t') ++pos_;
  }
  void skip_comment() {
    if (peek() != '#') return;
    while (!eof() && !at_newline()) ++pos_;
  }
  void skip_ws_comments_newlines() {
    while (true) {
      skip_ws();
      if (peek() == '#') skip_comment();
      if (at_newline()) consume_newline();
      else return;
    }
  }
  // `key`: the key of the value just parsed, to name it in the message.
  void end_of_line(const char* after, const std::vector<std::string>* key = nullptr) {
    skip_ws();
    skip_comment();
    if (eof()) return;
    if (!at_newline())
      fail(key != nullptr ? key_field(*key, key->size()) : field_here(),
           std::string("expected the end of the line after ") + after + ", got " + describe_here());
    consume_newline();
  }
  // What sits at the current position, for "expected X, got Y".
  std::string describe_here() const {
    if (eof()) return "the end of the file";
    if (at_newline()) return "the end of the line";
    std::size_t len = 1;
    auto c = static_cast<unsigned char>(peek());
    if (c >= 0xF0) len = 4;
    else if (c >= 0xE0) len = 3;
    else if (c >= 0xC0) len = 2;
    return "'" + std::string(s_.substr(pos_, len)) + "'";
  }

  // ---- errors ------------------------------------------------------------
  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw ConfigError(source_, line_, field, problem);
  }
  [[noreturn]] void fail_at(int line, const std::string& field, const std::string& problem) const {
    throw ConfigError(source_, line, field, problem);
  }
  // The full path of the value being parsed: the current section's path,
  // then the keys and array positions entered since.
  std::string field_here() const {
    std::string path = meta_path(cur_meta_);
    for (const Step& step : steps_) {
      if (step.index >= 0) append_index(path, static_cast<std::size_t>(step.index));
      else append_key(path, step.key);
    }
    return path;
  }
  std::string key_field(const std::vector<std::string>& key, std::size_t upto) const {
    std::string path = field_here();
    for (std::size_t i = 0; i <= upto && i < key.size(); ++i) append_key(path, key[i]);
    return path;
  }

  Value make(Value::Kind kind, int line) {
    if (++values_ > kMaxTomlValues)
      fail(field_here(), "more than " + std::to_string(kMaxTomlValues) + " values in one file");
    Value v;
    v.kind = kind;
    v.line = line;
    return v;
  }

  // ---- tables --------------------------------------------------------------
  static std::size_t insert(Value& t, Meta& m, const std::string& key, Value&& v,
                            std::unique_ptr<Meta> sub) {
    const std::size_t idx = t.table.size();
    t.table.emplace_back(key, std::move(v));
    m.slot.emplace(key, idx);
    m.sub.push_back(std::move(sub));
    return idx;
  }

  // Why a dotted key or header may not pass through an existing value.
  static std::string cannot_extend(const Value& v, const Meta* m) {
    const std::string where = " (line " + std::to_string(v.line) + ")";
    if (m == nullptr) {
      if (v.kind == Value::Kind::Table) return "cannot add keys to an inline table" + where;
      return std::string("already defined as ") + kind_name(v.kind) + where + ", not a table";
    }
    if (m->state == Meta::State::ArrayOfTables)
      return "is an array of tables" + where + "; a dotted key cannot extend it";
    return "cannot add keys with a dotted key to a table opened by a [header]" + where;
  }

  // `key = value` where key may be dotted: creates the intermediate tables.
  void assign(Value& table, Meta& meta, const std::vector<std::string>& key, int line, Value&& v) {
    Value* t = &table;
    Meta* m = &meta;
    for (std::size_t i = 0; i + 1 < key.size(); ++i) {
      auto it = m->slot.find(key[i]);
      if (it == m->slot.end()) {
        auto child = std::make_unique<Meta>(Meta::State::Dotted, m, key[i], -1, m->depth + 1);
        Meta* cm = child.get();
        const std::size_t idx = insert(*t, *m, key[i], make(Value::Kind::Table, line), std::move(child));
        t = &t->table[idx].second;
        m = cm;
      } else {
        Value& existing = t->table[it->second].second;
        Meta* sm = m->sub[it->second].get();
        if (sm == nullptr || sm->state != Meta::State::Dotted)
          fail_at(line, key_field(key, i), cannot_extend(existing, sm));
        t = &existing;
        m = sm;
      }
    }
    auto it = m->slot.find(key.back());
    if (it != m->slot.end())
      fail_at(line, key_field(key, key.size() - 1),
              "duplicate key (first defined on line " +
                  std::to_string(t->table[it->second].second.line) + ")");
    insert(*t, *m, key.back(), std::move(v), nullptr);
  }

  void parse_header() {
    const int line = line_;
    const bool array = peek(1) == '[';
    pos_ += array ? 2 : 1;
    skip_ws();
    steps_.clear();
    cur_meta_ = &root_meta_;  // so that errors inside the key show the key alone
    std::vector<std::string> key = parse_key();
    if (array) {
      if (peek() != ']' || peek(1) != ']')
        fail(key_field(key, key.size()), "expected ']]' to close the header, got " + describe_here());
      pos_ += 2;
    } else {
      if (peek() != ']') fail(key_field(key, key.size()), "expected ']' to close the header, got " + describe_here());
      ++pos_;
    }
    open_table(key, line, array);
  }

  void open_table(const std::vector<std::string>& key, int line, bool array) {
    Value* t = &root_;
    Meta* m = &root_meta_;
    auto here = [&](std::size_t i) {
      std::string path = meta_path(m);
      append_key(path, key[i]);
      return path;
    };
    auto check_depth = [&](int depth, std::size_t i) {
      if (depth > kMaxTomlDepth)
        fail_at(line, here(i), "nested deeper than " + std::to_string(kMaxTomlDepth) + " levels");
    };
    for (std::size_t i = 0; i + 1 < key.size(); ++i) {
      auto it = m->slot.find(key[i]);
      if (it == m->slot.end()) {
        check_depth(m->depth + 1, i);
        auto child = std::make_unique<Meta>(Meta::State::Implicit, m, key[i], -1, m->depth + 1);
        Meta* cm = child.get();
        const std::size_t idx = insert(*t, *m, key[i], make(Value::Kind::Table, line), std::move(child));
        t = &t->table[idx].second;
        m = cm;
        continue;
      }
      Value& existing = t->table[it->second].second;
      Meta* sm = m->sub[it->second].get();
      if (sm == nullptr) fail_at(line, here(i), cannot_extend(existing, sm));
      if (sm->state == Meta::State::ArrayOfTables) {
        // [[a]] then [a.b]: b belongs to the last element of a.
        t = &existing.array.back();
        m = sm->elements.back().get();
      } else {
        t = &existing;
        m = sm;
      }
    }

    const std::size_t last = key.size() - 1;
    auto it = m->slot.find(key[last]);
    if (!array) {
      if (it == m->slot.end()) {
        check_depth(m->depth + 1, last);
        auto child = std::make_unique<Meta>(Meta::State::Header, m, key[last], -1, m->depth + 1);
        Meta* cm = child.get();
        const std::size_t idx = insert(*t, *m, key[last], make(Value::Kind::Table, line), std::move(child));
        cur_ = &t->table[idx].second;
        cur_meta_ = cm;
        return;
      }
      Value& existing = t->table[it->second].second;
      Meta* sm = m->sub[it->second].get();
      if (sm != nullptr && sm->state == Meta::State::Implicit) {
        sm->state = Meta::State::Header;
        existing.line = line;
        cur_ = &existing;
        cur_meta_ = sm;
        return;
      }
      if (sm == nullptr && existing.kind != Value::Kind::Table)
        fail_at(line, here(last),
                std::string("already defined as ") + kind_name(existing.kind) + " on line " +
                    std::to_string(existing.line));
      if (sm != nullptr && sm->state == Meta::State::ArrayOfTables)
        fail_at(line, here(last),
                "already defined as an array of tables ([[...]]) on line " + std::to_string(existing.line));
      fail_at(line, here(last),
              "table defined more than once (first on line " + std::to_string(existing.line) + ")");
    }

    Value* arr = nullptr;
    Meta* am = nullptr;
    if (it == m->slot.end()) {
      check_depth(m->depth + 2, last);
      auto child = std::make_unique<Meta>(Meta::State::ArrayOfTables, m, key[last], -1, m->depth + 1);
      am = child.get();
      const std::size_t idx = insert(*t, *m, key[last], make(Value::Kind::Array, line), std::move(child));
      arr = &t->table[idx].second;
    } else {
      arr = &t->table[it->second].second;
      am = m->sub[it->second].get();
      if (am == nullptr || am->state != Meta::State::ArrayOfTables)
        fail_at(line, here(last),
                std::string("cannot append with [[...]]: already defined as ") +
                    (am == nullptr ? kind_name(arr->kind) : "a table") + " on line " +
                    std::to_string(arr->line));
    }
    const long index = static_cast<long>(arr->array.size());
    arr->array.push_back(make(Value::Kind::Table, line));
    am->elements.push_back(std::make_unique<Meta>(Meta::State::Header, am, "", index, am->depth + 1));
    cur_ = &arr->array.back();
    cur_meta_ = am->elements.back().get();
  }

  // ---- keys and values -----------------------------------------------------
  std::vector<std::string> parse_key() {
    std::vector<std::string> parts;
    while (true) {
      const char c = peek();
      if (c == '"' || c == '\'') {
        if (peek(1) == c && peek(2) == c)
          fail(key_field(parts, parts.size()), "a multi-line string cannot be a key");
        parts.push_back(c == '"' ? parse_basic_string() : parse_literal_string());
      } else if (is_bare_key_char(c)) {
        const std::size_t start = pos_;
        while (is_bare_key_char(peek())) ++pos_;
        parts.emplace_back(s_.substr(start, pos_ - start));
      } else {
        fail(key_field(parts, parts.size()), "expected a key, got " + describe_here());
      }
      skip_ws();
      if (peek() != '.') return parts;
      ++pos_;
      skip_ws();
    }
  }

  // `key = value` into `table`; the caller checks what follows. Returns the key.
  std::vector<std::string> parse_keyval(Value& table, Meta& meta) {
    const int line = line_;
    std::vector<std::string> key = parse_key();
    if (peek() != '=')
      fail(key_field(key, key.size()), "expected '=' after the key, got " + describe_here());
    ++pos_;
    skip_ws();
    const int depth = meta.depth + static_cast<int>(key.size());
    const std::size_t mark = steps_.size();
    for (const std::string& part : key) steps_.push_back(Step{part, -1});
    Value v = parse_value(depth);
    steps_.resize(mark);
    assign(table, meta, key, line, std::move(v));
    return key;
  }

  Value parse_value(int depth) {
    if (depth > kMaxTomlDepth)
      fail(field_here(), "nested deeper than " + std::to_string(kMaxTomlDepth) + " levels");
    const int line = line_;
    const char c = peek();
    if (c == '"' || c == '\'') {
      const bool multi = peek(1) == c && peek(2) == c;
      Value v = make(Value::Kind::String, line);
      if (c == '"') v.str = multi ? parse_multiline_basic() : parse_basic_string();
      else v.str = multi ? parse_multiline_literal() : parse_literal_string();
      return v;
    }
    if (c == '[') return parse_array(depth);
    if (c == '{') return parse_inline_table(depth);
    if (!is_token_char(c)) fail(field_here(), "expected a value, got " + describe_here());
    const std::size_t start = pos_;
    while (is_token_char(peek())) ++pos_;
    return parse_scalar(s_.substr(start, pos_ - start), line);
  }

  Value parse_array(int depth) {
    const int open_line = line_;
    Value arr = make(Value::Kind::Array, open_line);
    ++pos_;
    while (true) {
      skip_ws_comments_newlines();
      if (peek() == ']') { ++pos_; return arr; }
      if (eof()) fail_at(open_line, field_here(), "unterminated array (no closing ']')");
      steps_.push_back(Step{{}, static_cast<long>(arr.array.size())});
      arr.array.push_back(parse_value(depth + 1));
      steps_.pop_back();
      skip_ws_comments_newlines();
      if (eof()) fail_at(open_line, field_here(), "unterminated array (no closing ']')");
      if (peek() == ',') { ++pos_; continue; }
      if (peek() == ']') { ++pos_; return arr; }
      fail(field_here(), "expected ',' or ']' in the array opened on line " +
                             std::to_string(open_line) + ", got " + describe_here());
    }
  }

  Value parse_inline_table(int depth) {
    Value tbl = make(Value::Kind::Table, line_);
    Meta meta(Meta::State::Inline, nullptr, "", -1, depth);
    ++pos_;
    skip_ws();
    if (peek() == '}') { ++pos_; return tbl; }
    const char* one_line = "an inline table { ... } must close on the line where it opens; "
                           "use a [table] for longer ones";
    while (true) {
      if (eof() || at_newline()) fail(field_here(), one_line);
      parse_keyval(tbl, meta);
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        skip_ws();
        if (peek() == '}') fail(field_here(), "no trailing comma is allowed before '}' in an inline table");
        continue;
      }
      if (peek() == '}') { ++pos_; return tbl; }
      if (eof() || at_newline()) fail(field_here(), one_line);
      fail(field_here(), "expected ',' or '}' in the inline table, got " + describe_here());
    }
  }

  // ---- strings -------------------------------------------------------------
  void parse_escape(std::string& out) {
    const char c = peek(1);
    pos_ += 2;
    switch (c) {
      case 'b': out += '\b'; return;
      case 't': out += '\t'; return;
      case 'n': out += '\n'; return;
      case 'f': out += '\f'; return;
      case 'r': out += '\r'; return;
      case '"': out += '"'; return;
      case '\\': out += '\\'; return;
      case 'u':
      case 'U': {
        const std::size_t width = c == 'u' ? 4 : 8;
        std::uint32_t cp = 0;
        for (std::size_t k = 0; k < width; ++k) {
          const char h = peek(k);
          if (!is_hex(h))
            fail(field_here(), std::string("\\") + c + " needs exactly " + std::to_string(width) +
                                   " hexadecimal digits");
          cp = cp * 16 + static_cast<std::uint32_t>(is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
        }
        pos_ += width;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
          fail(field_here(), "\\" + std::string(1, c) + hex(cp, static_cast<int>(width)) +
                                 " is not a Unicode scalar value");
        append_utf8(out, cp);
        return;
      }
      default:
        pos_ -= 1;  // point at the bad character for describe_here()
        fail(field_here(), "invalid escape: a backslash followed by " + describe_here() +
                               " (write \\\\ for a backslash)");
    }
  }

  std::string parse_basic_string() {
    ++pos_;
    std::string out;
    while (true) {
      if (eof() || at_newline())
        fail(field_here(), "unterminated string (a \"...\" string must end on its line; use \"\"\" for several lines)");
      const char c = peek();
      if (c == '"') { ++pos_; return out; }
      if (c == '\\') { parse_escape(out); continue; }
      out += c;
      ++pos_;
    }
  }

  std::string parse_literal_string() {
    ++pos_;
    const std::size_t start = pos_;
    while (peek() != '\'') {
      if (eof() || at_newline())
        fail(field_here(), "unterminated string (a '...' string must end on its line; use ''' for several lines)");
      ++pos_;
    }
    std::string out(s_.substr(start, pos_ - start));
    ++pos_;
    return out;
  }

  // At a run of `quote` of length >= 3 inside a multi-line string: up to two
  // extra quotes belong to the content, then the delimiter closes it.
  bool close_multiline(char quote, std::string& out) {
    if (peek() != quote || peek(1) != quote || peek(2) != quote) return false;
    std::size_t run = 3;
    while (peek(run) == quote) ++run;
    if (run > 5) fail(field_here(), "more than two quotation marks before the closing delimiter");
    out.append(run - 3, quote);
    pos_ += run;
    return true;
  }

  std::string parse_multiline_basic() {
    const int open_line = line_;
    pos_ += 3;
    if (at_newline()) consume_newline();  // a newline right after """ is not content
    std::string out;
    while (true) {
      if (eof())
        fail_at(open_line, field_here(), "unterminated multi-line string (no closing \"\"\")");
      if (close_multiline('"', out)) return out;
      if (peek() == '\\') {
        // A backslash that ends its line swallows the line break and the
        // whitespace that follows, to wrap long text.
        std::size_t k = 1;
        while (peek(k) == ' ' || peek(k) == '\t') ++k;
        if (peek(k) == '\n' || (peek(k) == '\r' && peek(k + 1) == '\n')) {
          pos_ += k;
          while (true) {
            if (peek() == ' ' || peek() == '\t') ++pos_;
            else if (at_newline()) consume_newline();
            else break;
          }
          continue;
        }
        parse_escape(out);
        continue;
      }
      if (at_newline()) {
        consume_newline();
        out += '\n';
        continue;
      }
      out += peek();
      ++pos_;
    }
  }

  std::string parse_multiline_literal() {
    const int open_line = line_;
    pos_ += 3;
    if (at_newline()) consume_newline();
    std::string out;
    while (true) {
      if (eof())
        fail_at(open_line, field_here(), "unterminated multi-line string (no closing ''')");
      if (close_multiline('\'', out)) return out;
      if (at_newline()) {
        consume_newline();
        out += '\n';
        continue;
      }
      out += peek();
      ++pos_;
    }
  }

  // ---- numbers and booleans ------------------------------------------------
  // Digits with single underscores between them, e.g. "1_000".
  static bool digits_ok(std::string_view d, bool (*is_valid)(char)) {
    if (d.empty() || !is_valid(d.front()) || !is_valid(d.back())) return false;
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (d[i] == '_') {
        if (!is_valid(d[i + 1]) || !is_valid(d[i - 1])) return false;
      } else if (!is_valid(d[i])) {
        return false;
      }
    }
    return true;
  }

  static std::string without_underscores(std::string_view d) {
    std::string out;
    out.reserve(d.size());
    for (char c : d)
      if (c != '_') out += c;
    return out;
  }

  Value parse_scalar(std::string_view tok, int line) {
    if (tok == "true" || tok == "false") {
      Value v = make(Value::Kind::Boolean, line);
      v.boolean = tok == "true";
      return v;
    }
    const std::string shown = "'" + std::string(tok.substr(0, 40)) + (tok.size() > 40 ? "...'" : "'");
    auto invalid = [&](const std::string& why) -> void {
      fail(field_here(), "invalid value " + shown + why);
    };
    std::string_view body = tok;
    bool negative = false;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
      negative = body[0] == '-';
      body.remove_prefix(1);
    }
    if (body == "inf" || body == "nan") {
      Value v = make(Value::Kind::Float, line);
      v.number = body == "inf" ? std::numeric_limits<double>::infinity()
                               : std::numeric_limits<double>::quiet_NaN();
      if (negative) v.number = -v.number;
      return v;
    }
    if (body.size() >= 5 && is_digit(body[0]) && is_digit(body[1]) && is_digit(body[2]) &&
        is_digit(body[3]) && body[4] == '-')
      invalid(": dates are not supported here; write the date as a string");
    if (body.size() >= 3 && is_digit(body[0]) && is_digit(body[1]) && body[2] == ':')
      invalid(": times are not supported here; write the time as a string");

    if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o' || body[1] == 'b')) {
      if (tok.size() != body.size()) invalid(": a hexadecimal, octal or binary integer cannot have a sign");
      const int base = body[1] == 'x' ? 16 : body[1] == 'o' ? 8 : 2;
      const std::string_view digits = body.substr(2);
      if (!digits_ok(digits, base == 16 ? is_hex : base == 8 ? is_oct : is_bin)) invalid("");
      const std::string clean = without_underscores(digits);
      std::uint64_t u = 0;
      auto [end, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), u, base);
      if (ec != std::errc() || end != clean.data() + clean.size() ||
          u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        invalid(": integer out of range (64-bit signed)");
      Value v = make(Value::Kind::Integer, line);
      v.integer = static_cast<std::int64_t>(u);
      return v;
    }

    // Decimal: int part, then an optional fraction and exponent.
    std::size_t p = 0;
    while (p < body.size() && body[p] != '.' && body[p] != 'e' && body[p] != 'E') ++p;
    const std::string_view int_part = body.substr(0, p);
    if (!digits_ok(int_part, is_digit)) invalid("");
    if (int_part.size() > 1 && int_part[0] == '0') invalid(": leading zeros are not allowed");
    if (p == body.size()) {
      const std::string clean = (negative ? "-" : "") + without_underscores(int_part);
      std::int64_t i = 0;
      auto [end, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), i);
      if (ec != std::errc() || end != clean.data() + clean.size())
        invalid(": integer out of range (64-bit signed)");
      Value v = make(Value::Kind::Integer, line);
      v.integer = i;
      return v;
    }
    if (body[p] == '.') {
      std::size_t q = p + 1;
      while (q < body.size() && body[q] != 'e' && body[q] != 'E') ++q;
      if (!digits_ok(body.substr(p + 1, q - p - 1), is_digit)) invalid("");
      p = q;
    }
    if (p < body.size()) {  // at 'e' or 'E'
      std::size_t q = p + 1;
      if (q < body.size() && (body[q] == '+' || body[q] == '-')) ++q;
      if (!digits_ok(body.substr(q), is_digit)) invalid("");
    }
    const std::string clean = (negative ? "-" : "") + without_underscores(body);
    double d = 0.0;
    auto [end, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), d);
    if (ec != std::errc() || end != clean.data() + clean.size()) invalid(": float out of range");
    Value v = make(Value::Kind::Float, line);
    v.number = d;
    return v;
  }

  std::string_view s_;
  const std::string& source_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::size_t values_ = 0;
  Value root_;
  Meta root_meta_{Meta::State::Root, nullptr, "", -1, 0};
  Value* cur_ = nullptr;       // the table that `key = value` lines go to
  Meta* cur_meta_ = nullptr;
  std::vector<Step> steps_;    // keys and positions inside the current value
};

}  // namespace

// ---- Value ------------------------------------------------------------------

const Value* Value::find(std::string_view key) const {
  if (kind != Kind::Table) return nullptr;
  for (const auto& [k, v] : table)
    if (k == key) return &v;
  return nullptr;
}

const char* kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::String: return "a string";
    case Value::Kind::Integer: return "an integer";
    case Value::Kind::Float: return "a float";
    case Value::Kind::Boolean: return "a boolean";
    case Value::Kind::Array: return "an array";
    case Value::Kind::Table: return "a table";
  }
  return "a value";
}

std::string display_key(std::string_view key) {
  bool bare = !key.empty();
  for (char c : key) bare = bare && is_bare_key_char(c);
  bool cut = false;
  const std::string_view shown = shorten(key, kShownKeyBytes, cut);
  if (bare) return std::string(shown) + (cut ? "..." : "");
  std::string out = "\"";
  for (char c : shown) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') { out += '\\'; out += c; }
    else if (u < 0x20 || u == 0x7F) out += "\\u" + hex(u, 4);
    else out += c;
  }
  return out + (cut ? "...\"" : "\"");
}

Value parse_toml(std::string_view text, const std::string& source_name) {
  return Parser(text, source_name).run();
}

std::string read_config_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    throw ConfigError(path, 0, "", "cannot open the file: " + (ec ? ec.message() : "no such file"));
  if (fs::is_directory(st)) throw ConfigError(path, 0, "", "is a directory, not a file");
  if (!fs::is_regular_file(st)) throw ConfigError(path, 0, "", "is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, 0, "", std::string("cannot open the file: ") + std::strerror(errno));
  const auto too_large = [&] {
    return ConfigError(path, 0, "", "the file is larger than " + std::to_string(kMaxTomlBytes >> 20) + " MiB");
  };
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > kMaxTomlBytes) throw too_large();
  std::string text;
  if (!ec) text.reserve(static_cast<std::size_t>(size));
  std::vector<char> buffer(std::size_t{1} << 16);
  // Read in chunks and re-check: the size may change while reading.
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
    text.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxTomlBytes) throw too_large();
  }
  if (in.bad()) throw ConfigError(path, 0, "", "error while reading the file");
  return text;
}

Value parse_toml_file(const std::string& path) {
  return parse_toml(read_config_file(path), path);
}

// ---- TableReader --------------------------------------------------------------

TableReader::TableReader(const Value& table, std::string source, std::string path)
    : table_(&table), source_(std::move(source)), path_(std::move(path)) {
  if (table.kind != Value::Kind::Table)
    throw ConfigError(source_, table.line, path_,
                      std::string("expected a table, got ") + kind_name(table.kind));
  read_.assign(table.table.size(), false);
}

std::string TableReader::field(std::string_view key) const {
  std::string path = path_;
  append_key(path, key);
  return path;
}

void TableReader::fail(int line, std::string_view key, const std::string& problem) const {
  throw ConfigError(source_, line, field(key), problem);
}

const Value* TableReader::lookup(std::string_view key) {
  asked_.emplace_back(key);
  const auto& entries = table_->table;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].first == key) {
      read_[i] = true;
      return &entries[i].second;
    }
  }
  return nullptr;
}

const Value& TableReader::typed(std::string_view key, const Value& v, Value::Kind kind) const {
  if (v.kind != kind)
    fail(v.line, key, std::string("expected ") + kind_name(kind) + ", got " + kind_name(v.kind));
  return v;
}

const Value* TableReader::get(std::string_view key) { return lookup(key); }

std::string TableReader::required_string(std::string_view key) {
  const Value* v = lookup(key);
  if (v == nullptr) fail(line(), key, "required key is missing");
  return typed(key, *v, Value::Kind::String).str;
}

std::optional<std::string> TableReader::optional_string(std::string_view key) {
  const Value* v = lookup(key);
  if (v == nullptr) return std::nullopt;
  return typed(key, *v, Value::Kind::String).str;
}

std::vector<std::string> TableReader::string_list(std::string_view key) {
  std::vector<std::string> out;
  const Value* v = lookup(key);
  if (v == nullptr) return out;
  typed(key, *v, Value::Kind::Array);
  out.reserve(v->array.size());
  for (std::size_t i = 0; i < v->array.size(); ++i) {
    const Value& e = v->array[i];
    if (e.kind != Value::Kind::String) {
      std::string f = field(key);
      append_index(f, i);
      throw ConfigError(source_, e.line, f, std::string("expected a string, got ") + kind_name(e.kind));
    }
    out.push_back(e.str);
  }
  return out;
}

double TableReader::number(std::string_view key, double dflt) {
  const Value* v = lookup(key);
  if (v == nullptr) return dflt;
  if (v->kind == Value::Kind::Integer) return static_cast<double>(v->integer);
  if (v->kind == Value::Kind::Float) return v->number;
  fail(v->line, key, std::string("expected a number, got ") + kind_name(v->kind));
}

bool TableReader::boolean(std::string_view key, bool dflt) {
  const Value* v = lookup(key);
  if (v == nullptr) return dflt;
  return typed(key, *v, Value::Kind::Boolean).boolean;
}

const Value* TableReader::table(std::string_view key) {
  const Value* v = lookup(key);
  if (v == nullptr) return nullptr;
  return &typed(key, *v, Value::Kind::Table);
}

std::vector<const Value*> TableReader::array_of_tables(std::string_view key) {
  std::vector<const Value*> out;
  const Value* v = lookup(key);
  if (v == nullptr) return out;
  if (v->kind != Value::Kind::Array)
    fail(v->line, key, std::string("expected an array of tables ([[") + display_key(key) + "]]), got " +
                           kind_name(v->kind));
  out.reserve(v->array.size());
  for (std::size_t i = 0; i < v->array.size(); ++i) {
    const Value& e = v->array[i];
    if (e.kind != Value::Kind::Table) {
      std::string f = field(key);
      append_index(f, i);
      throw ConfigError(source_, e.line, f, std::string("expected a table, got ") + kind_name(e.kind));
    }
    out.push_back(&e);
  }
  return out;
}

void TableReader::finish() const {
  const auto& entries = table_->table;
  std::vector<std::size_t> unknown;
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (!read_[i]) unknown.push_back(i);
  if (unknown.empty()) return;

  const auto& [first_key, first_value] = entries[unknown.front()];
  std::string problem = "unknown key " + in_quotes(first_key);
  // Suggest the closest key this table does accept, for typos.
  if (first_key.size() <= 64) {
    std::string best;
    std::size_t best_distance = 3;
    for (const std::string& known : asked_) {
      if (known.size() > 64 || known == first_key) continue;
      const std::size_t d = edit_distance(first_key, known);
      if (d < best_distance && d < known.size()) {
        best_distance = d;
        best = known;
      }
    }
    if (!best.empty()) problem += " (did you mean " + in_quotes(best) + "?)";
  }
  if (unknown.size() > 1) {
    constexpr std::size_t kListed = 5;
    problem += "; also unknown:";
    for (std::size_t k = 1; k < unknown.size() && k <= kListed; ++k) {
      const auto& [key, value] = entries[unknown[k]];
      problem += (k > 1 ? ", " : " ") + in_quotes(key) + " (line " + std::to_string(value.line) + ")";
    }
    if (unknown.size() - 1 > kListed)
      problem += " and " + std::to_string(unknown.size() - 1 - kListed) + " more";
  }
  throw ConfigError(source_, first_value.line, field(first_key), problem);
}

std::vector<std::string> toml_files(const std::string& dir, const std::string& what) {
  DIR* dp = opendir(dir.c_str());
  if (!dp) throw ConfigError(dir, 0, "", "cannot open the " + what + " folder");
  std::vector<std::string> files;
  while (dirent* e = readdir(dp)) {
    const std::string name = e->d_name;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".toml") == 0) files.push_back(dir + "/" + name);
  }
  closedir(dp);
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace quoteframe::util

// A TOML reader for configuration files (codebooks, language data) that keeps
// the line of every value, so a validation error can point the analyst at the
// exact spot, and a small validating reader for schema code on top of it.
//
// Supported (TOML 1.0 minus dates and times):
//   comments; bare, quoted and dotted keys; [table], [a.b], [[array.of.tables]]
//   and sub-tables of the last element of an array of tables; basic strings
//   with the escapes \b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX; literal strings;
//   multi-line basic and literal strings (with line-ending backslashes);
//   integers (decimal, 0x, 0o, 0b, underscores); floats (inf and nan too);
//   booleans; arrays (multi-line, mixed types, comments, trailing comma);
//   one-line inline tables.
// Rejected: duplicate keys, tables defined twice, extending an inline table
//   or a table defined elsewhere, invalid UTF-8, control characters other
//   than tab, a carriage return not followed by a line feed, dates/times.
// A UTF-8 byte order mark at the start of the text is skipped.
//
// Hostile files cannot exhaust the process: the text size, the nesting depth
// and the number of values are capped (constants below), parsing is linear in
// the text size, and recursion depth never exceeds kMaxTomlDepth.
//
// Every error is a quoteframe::ConfigError whose message reads
// "<source>:<line>: <field>: <problem>"; <field> is the full key path, with
// array positions counted from 0, e.g. "actors[3].names.fr[1]".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace quoteframe::util {

// Hard limits. A text over kMaxTomlBytes, a value nested deeper than
// kMaxTomlDepth (key segments and array/inline-table levels both count), or a
// document with more than kMaxTomlValues values is rejected with ConfigError.
inline constexpr std::size_t kMaxTomlBytes = std::size_t{64} * 1024 * 1024;
inline constexpr int kMaxTomlDepth = 64;
inline constexpr std::size_t kMaxTomlValues = 2'000'000;

// One parsed value. Only the member that matches `kind` is meaningful; the
// others keep their default. A Value owns its children.
struct Value {
  enum class Kind { String, Integer, Float, Boolean, Array, Table };

  Kind kind = Kind::Table;
  // 1-based line where the value starts. For a table opened by a header, the
  // header's line; for a table created implicitly (the `a` of `[a.b]` or of
  // `a.b = 1`), the line that created it. 0 for the root table.
  int line = 0;
  std::string str;            // String: the decoded UTF-8 text
  std::int64_t integer = 0;   // Integer
  double number = 0.0;        // Float
  bool boolean = false;       // Boolean
  std::vector<Value> array;   // Array, including arrays of tables
  // Table: entries in the order they appear in the file. Keys are unique.
  std::vector<std::pair<std::string, Value>> table;

  // The entry `key` of a table, or nullptr when absent or when this value is
  // not a table. A linear scan: meant for the few-key tables of a schema.
  // The pointer stays valid while this Value is alive and unmodified.
  const Value* find(std::string_view key) const;
};

// "a string", "an integer", "a float", "a boolean", "an array", "a table":
// the noun phrase used in "expected X, got Y" messages.
const char* kind_name(Value::Kind kind);

// Parses `text` (UTF-8) into its root table. `source_name` (a file path or
// "<string>") only appears in error messages. Throws ConfigError on any
// syntax error, duplicate or limit violation.
Value parse_toml(std::string_view text, const std::string& source_name);

// Reads a whole file as bytes. Throws ConfigError(path, line 0) when it cannot
// be opened or read, is not a regular file, or is larger than kMaxTomlBytes.
std::string read_config_file(const std::string& path);

// The "*.toml" files of folder `dir`, as full paths, sorted by name (so a
// registry built from them does not depend on the file system's order).
// Throws ConfigError(dir, 0, "", ...) naming `what` when `dir` cannot be read.
std::vector<std::string> toml_files(const std::string& dir, const std::string& what);

// read_config_file + parse_toml, with `path` as the source name.
Value parse_toml_file(const std::string& path);

// Formats one key for a field path: as written when it is a bare key,
// otherwise in double quotes with escapes; very long keys are shortened.
std::string display_key(std::string_view key);

// A validating view over one table, for schema code. Each accessor looks a
// key up, marks it as read and checks its type; finish() then reports every
// key that no accessor asked for, so typos in a codebook never pass silently.
//
// Errors are ConfigError with the value's line (the table's line when a
// required key is missing) and the field "<path>.<key>", e.g.
//   "cb.toml:12: actors[3].gender: expected a string, got an array".
//
// The reader borrows `table`: it must outlive the reader and every pointer
// returned by it. Not thread-safe (it records which keys were read).
class TableReader {
 public:
  // `table` must be a table (else ConfigError "expected a table"); `source`
  // is the file name for messages; `path` is this table's field path
  // ("" for the root, "codebook", "actors[3]", ...).
  TableReader(const Value& table, std::string source, std::string path);

  // The raw value of `key` (any kind) or nullptr; marks it as read.
  const Value* get(std::string_view key);

  // A string that must be present. Throws if missing or not a string.
  std::string required_string(std::string_view key);
  // A string, or nullopt when the key is absent. Throws on a wrong type.
  std::optional<std::string> optional_string(std::string_view key);
  // An array of strings; empty when absent. Throws on a wrong type of the
  // value or of any element (the field then names the element: "roles[2]").
  std::vector<std::string> string_list(std::string_view key);
  // An integer or float as a double; `dflt` when absent.
  double number(std::string_view key, double dflt);
  // A boolean; `dflt` when absent.
  bool boolean(std::string_view key, bool dflt);
  // A table (header-defined or inline), or nullptr when absent.
  const Value* table(std::string_view key);
  // An array whose elements are all tables ([[key]] or key = [{...}, ...]);
  // empty when absent.
  std::vector<const Value*> array_of_tables(std::string_view key);

  // Throws ConfigError if some key of the table was never asked for. The
  // exception points at the first such key ("unknown key 'x'", with a
  // suggestion when it is close to a known key) and lists the others.
  void finish() const;

  // "<path>.<key>" (or "<key>" at the root), for messages about a value.
  std::string field(std::string_view key) const;
  // Throws ConfigError(source, line, field(key), problem).
  [[noreturn]] void fail(int line, std::string_view key, const std::string& problem) const;

  const std::string& source() const noexcept { return source_; }
  const std::string& path() const noexcept { return path_; }
  int line() const noexcept { return table_->line; }

 private:
  const Value* lookup(std::string_view key);
  const Value& typed(std::string_view key, const Value& v, Value::Kind kind) const;

  const Value* table_;
  std::string source_;
  std::string path_;
  std::vector<bool> read_;             // parallel to table_->table
  std::vector<std::string> asked_;     // every key asked for, for suggestions
};

}  // namespace quoteframe::util

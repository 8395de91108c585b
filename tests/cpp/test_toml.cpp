#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "quoteframe/errors.hpp"
#include "quoteframe/util/toml.hpp"

using quoteframe::ConfigError;
using quoteframe::util::kMaxTomlBytes;
using quoteframe::util::kMaxTomlDepth;
using quoteframe::util::kMaxTomlValues;
using quoteframe::util::parse_toml;
using quoteframe::util::parse_toml_file;
using quoteframe::util::TableReader;
using quoteframe::util::Value;

namespace {

// Sanitized and unoptimised builds run about ten times slower. The time
// budgets only need to catch quadratic behaviour, which would take minutes.
#if defined(__SANITIZE_ADDRESS__) || !defined(NDEBUG)
constexpr double kSlowBuild = 10.0;
#else
constexpr double kSlowBuild = 1.0;
#endif

// A compact, deterministic rendering of a Value, to compare whole trees.
std::string dump(const Value& v) {
  switch (v.kind) {
    case Value::Kind::String: return "'" + v.str + "'";
    case Value::Kind::Integer: return std::to_string(v.integer);
    case Value::Kind::Float: {
      if (std::isnan(v.number)) return "nan";
      if (std::isinf(v.number)) return v.number > 0 ? "inf" : "-inf";
      char buf[64];
      std::snprintf(buf, sizeof buf, "%gf", v.number);
      return buf;
    }
    case Value::Kind::Boolean: return v.boolean ? "true" : "false";
    case Value::Kind::Array: {
      std::string out = "[";
      for (std::size_t i = 0; i < v.array.size(); ++i) out += (i ? "," : "") + dump(v.array[i]);
      return out + "]";
    }
    case Value::Kind::Table: break;
  }
  std::string out = "{";
  for (std::size_t i = 0; i < v.table.size(); ++i)
    out += (i ? "," : "") + v.table[i].first + "=" + dump(v.table[i].second);
  return out + "}";
}

std::string parsed(const std::string& text) { return dump(parse_toml(text, "t.toml")); }

// Runs `f`, which must throw ConfigError, and returns the error.
template <class F>
ConfigError config_error(F f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("no ConfigError thrown");
  throw std::logic_error("unreachable");
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("valid TOML parses to the expected tree", "[toml]") {
  struct Case {
    const char* name;
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"empty text", "", "{}"},
      {"only comments and blank lines", "# one\n\n   # two\n\t\n", "{}"},
      {"comment after a value", "a = 1 # note\nb = 2#x", "{a=1,b=2}"},
      {"bare keys", "bare_key-1 = 1\n1234 = 2", "{bare_key-1=1,1234=2}"},
      {"quoted keys", "\"ké y\" = 1\n'lit.eral' = 2\n\"\" = 3", "{ké y=1,lit.eral=2,=3}"},
      {"dotted keys", "a.b.c = 1\na.b.d = 2\n\"x.y\" . z = 3", "{a={b={c=1,d=2}},x.y={z=3}}"},
      {"tables", "[a]\nx = 1\n[a.b]\ny = 2\n[ c . \"d\" ]\nz = 3", "{a={x=1,b={y=2}},c={d={z=3}}}"},
      {"implicit table defined later", "[a.b]\nx = 1\n[a]\ny = 2", "{a={b={x=1},y=2}}"},
      {"sub-table of a dotted table", "[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nsmooth = true",
       "{fruit={apple={color='red',texture={smooth=true}}}}"},
      {"array of tables with sub-tables",
       "[[actors]]\nid = 'a'\n[actors.names]\nfr = ['x']\n[[actors]]\nid = 'b'\n[actors.names]\nfr = ['y']",
       "{actors=[{id='a',names={fr=['x']}},{id='b',names={fr=['y']}}]}"},
      {"nested arrays of tables", "[[a]]\n[[a.b]]\nx = 1\n[[a.b]]\nx = 2\n[[a]]\n",
       "{a=[{b=[{x=1},{x=2}]},{}]}"},
      {"basic string escapes", "s = \"q\\\"b\\\\s\\tt\\nn\\u00e9\\U0001F600\\b\\f\\r\"",
       "{s='q\"b\\s\tt\nné😀\b\f\r'}"},
      {"literal string", "s = 'C:\\path\\n \"x\"'", "{s='C:\\path\\n \"x\"'}"},
      {"multi-line basic string", "s = \"\"\"\nline 1\nline 2\"\"\"", "{s='line 1\nline 2'}"},
      {"line-ending backslash", "s = \"\"\"one \\\n     two \\  \n\n three\"\"\"", "{s='one two three'}"},
      {"quotes before the closing delimiter", "s = \"\"\"say \"hi\"\"\"\"\"", "{s='say \"hi\"\"'}"},
      {"multi-line literal string", "s = '''\nraw \\n ''quoted''\n'''", "{s='raw \\n ''quoted''\n'}"},
      {"multi-line string with CRLF", "s = \"\"\"\r\na\r\nb\"\"\"\r\n", "{s='a\nb'}"},
      {"integers",
       "i = [0, +1, -1, 1_000, 0xff, 0xDEAD_beef, 0o17, 0b101, 9223372036854775807, -9223372036854775808]",
       "{i=[0,1,-1,1000,255,3735928559,15,5,9223372036854775807,-9223372036854775808]}"},
      {"floats", "f = [1.5, -0.5, +2.0, 1e3, 1E-2, 2e+2, 1_0.5_0, 6.5e0_1, 0.0]",
       "{f=[1.5f,-0.5f,2f,1000f,0.01f,200f,10.5f,65f,0f]}"},
      {"special floats", "f = [inf, +inf, -inf, nan, +nan, -nan]", "{f=[inf,inf,-inf,nan,nan,nan]}"},
      {"booleans", "t = true\nf = false", "{t=true,f=false}"},
      {"multi-line array with comments and trailing comma",
       "a = [\n  1, # one\n  # a comment line\n  'two',\n\n  [3, 4.5],\n]", "{a=[1,'two',[3,4.5f]]}"},
      {"empty arrays", "a = []\nb = [ \n ]", "{a=[],b=[]}"},
      {"inline tables", "p = { pattern = \"x\", weight = 2.0 }\ne = {}\nn = { a.b = 1, a.c = { d = [1] } }",
       "{p={pattern='x',weight=2f},e={},n={a={b=1,c={d=[1]}}}}"},
      {"array of inline tables", "fr = [\"OTSC\", { pattern = \"troupes\", weight = 0.5 },\n]",
       "{fr=['OTSC',{pattern='troupes',weight=0.5f}]}"},
      {"byte order mark and CRLF", "\xEF\xBB\xBF" "a = 1\r\n[t]\r\nb = 'x'\r\n", "{a=1,t={b='x'}}"},
      {"tab inside strings", "s = \"a\tb\"", "{s='a\tb'}"},
      {"non-ASCII text and keys", "\"زاخاروفا\" = 'ماريا'", "{زاخاروفا='ماريا'}"},
  };
  for (const Case& c : cases) {
    SECTION(c.name) { CHECK(parsed(c.text) == c.expected); }
  }
}

TEST_CASE("every value records the line it starts on", "[toml]") {
  const std::string text =
      "# header comment\n"           // 1
      "a = 1\n"                       // 2
      "s = \"\"\"\n"                  // 3
      "two\n"                         // 4
      "lines\"\"\"\n"                 // 5
      "arr = [\n"                     // 6
      "  'x',\n"                      // 7
      "  { k = 1 },\n"                // 8
      "]\n"                           // 9
      "[t.u]\n"                       // 10
      "v = true\n"                    // 11
      "[t]\n"                         // 12
      "[[list]]\n"                    // 13
      "w = 1\r\n"                     // 14
      "[[list]]\n";                   // 15
  const Value root = parse_toml(text, "t.toml");
  CHECK(root.line == 0);
  CHECK(root.find("a")->line == 2);
  CHECK(root.find("s")->line == 3);
  const Value* arr = root.find("arr");
  REQUIRE(arr != nullptr);
  CHECK(arr->line == 6);
  CHECK(arr->array[0].line == 7);
  CHECK(arr->array[1].line == 8);
  CHECK(arr->array[1].find("k")->line == 8);
  const Value* t = root.find("t");
  CHECK(t->line == 12);  // the explicit header, not the implicit creation on line 10
  CHECK(t->find("u")->line == 10);
  CHECK(t->find("u")->find("v")->line == 11);
  const Value* list = root.find("list");
  CHECK(list->line == 13);
  CHECK(list->array[0].line == 13);
  CHECK(list->array[0].find("w")->line == 14);
  CHECK(list->array[1].line == 15);
  CHECK(root.find("missing") == nullptr);
  CHECK(arr->find("x") == nullptr);  // not a table
}

TEST_CASE("invalid TOML names the line, the field and the problem", "[toml]") {
  struct Case {
    const char* name;
    std::string text;
    int line;
    std::string field;
    std::string problem;  // a substring of the message
  };
  const std::vector<Case> cases = {
      {"duplicate key", "a = 1\na = 2", 2, "a", "duplicate key (first defined on line 1)"},
      {"duplicate key in a table", "[t]\nx = 1\n\nx = 2", 4, "t.x", "duplicate key"},
      {"duplicate dotted key", "a.b = 1\na.b = 2", 2, "a.b", "duplicate key"},
      {"duplicate key in an inline table", "p = { x = 1, x = 2 }", 1, "p.x", "duplicate key"},
      {"table defined twice", "[a]\nx = 1\n[a]", 3, "a", "table defined more than once (first on line 1)"},
      {"header over a dotted table", "a.b = 1\n[a]", 2, "a", "defined more than once"},
      {"header over a dotted sub-table", "[a]\nb.c = 1\n[a.b]", 3, "a.b", "defined more than once"},
      {"dotted key into a header table", "[a.b]\nx = 1\n[a]\nb.y = 2", 4, "a.b", "opened by a [header]"},
      {"header into an inline table", "a = { x = 1 }\n[a.b]", 2, "a", "cannot add keys to an inline table"},
      {"dotted key into an inline table", "a = { x = 1 }\na.y = 2", 2, "a", "inline table"},
      {"header over a value", "a = 1\n[a]", 2, "a", "already defined as an integer on line 1"},
      {"header through a value", "a = 1\n[a.b]", 2, "a", "already defined as an integer"},
      {"array of tables over a static array", "a = []\n[[a]]", 2, "a", "cannot append with [[...]]"},
      {"array of tables over a table", "[a]\n[[a]]", 2, "a", "cannot append with [[...]]"},
      {"table over an array of tables", "[[a]]\n[a]", 2, "a", "already defined as an array of tables"},
      {"sub-table of an array element twice", "[[a]]\n[[a]]\n[a.b]\nx = 1\n[a.b]", 5, "a[1].b",
       "defined more than once"},
      {"missing value", "a =\nb = 1", 1, "a", "expected a value, got the end of the line"},
      {"missing equals sign", "a 1", 1, "a", "expected '=' after the key"},
      {"two values on one line", "a = 1 b = 2", 1, "a", "expected the end of the line after the value"},
      {"garbage after a header", "[a] x", 1, "a", "expected the end of the line after the table header"},
      {"unclosed header", "[a\nb = 1", 1, "a", "expected ']' to close the header"},
      {"unclosed array-of-tables header", "[[a]\n", 1, "a", "expected ']]'"},
      {"empty header", "[]", 1, "", "expected a key"},
      {"bad key character", "a$ = 1", 1, "a", "expected '=' after the key, got '$'"},
      {"unterminated string", "x = 1\na = \"abc", 2, "a", "unterminated string"},
      {"string broken by a newline", "a = \"abc\nb = 1\"", 1, "a", "unterminated string"},
      {"unterminated literal string", "a = 'abc", 1, "a", "unterminated string"},
      {"unterminated multi-line string", "a = \"\"\"\nabc\n", 1, "a", "unterminated multi-line string"},
      {"unterminated multi-line literal", "x = 1\na = '''abc", 2, "a", "unterminated multi-line string"},
      {"too many closing quotes", "a = \"\"\"x\"\"\"\"\"\"", 1, "a", "more than two quotation marks"},
      {"multi-line string as a key", "\"\"\"a\"\"\" = 1", 1, "", "a multi-line string cannot be a key"},
      {"invalid escape", "a = \"\\q\"", 1, "a", "invalid escape: a backslash followed by 'q'"},
      {"short \\u escape", "a = \"\\u00e\"", 1, "a", "\\u needs exactly 4 hexadecimal digits"},
      {"surrogate escape", "a = \"\\uD800\"", 1, "a", "is not a Unicode scalar value"},
      {"escape beyond Unicode", "a = \"\\U00110000\"", 1, "a", "is not a Unicode scalar value"},
      {"invalid UTF-8 byte", "a = 1\nb = \"\xFF\"", 2, "", "invalid UTF-8 (byte 0xFF at offset 11)"},
      {"overlong UTF-8", "a = \"\xC0\x80\"", 1, "", "invalid UTF-8"},
      {"truncated UTF-8", "a = \"\xE2\x82", 1, "", "invalid UTF-8"},
      {"UTF-8 surrogate", "a = \"\xED\xA0\x80\"", 1, "", "invalid UTF-8"},
      {"control character", "a = 1\n\nb = \"x\x01\"", 3, "", "control character U+0001"},
      {"control character in a comment", "# bell \x07\n", 1, "", "control character U+0007"},
      {"DEL character", "a = '\x7F'", 1, "", "control character U+007F"},
      {"NUL byte", std::string("a = 'x\0'", 8), 1, "", "control character U+0000"},
      {"lone carriage return", "a = 1\rb = 2", 1, "", "carriage return not followed by a line feed"},
      {"leading zero", "a = 01", 1, "a", "leading zeros are not allowed"},
      {"double underscore", "a = 1__0", 1, "a", "invalid value '1__0'"},
      {"trailing underscore", "a = 10_", 1, "a", "invalid value"},
      {"integer overflow", "a = 9223372036854775808", 1, "a", "integer out of range"},
      {"hex overflow", "a = 0x8000000000000000", 1, "a", "integer out of range"},
      {"signed hex", "a = +0xff", 1, "a", "cannot have a sign"},
      {"bad hex digit", "a = 0xfg", 1, "a", "invalid value"},
      {"date", "a = 1979-05-27", 1, "a", "dates are not supported"},
      {"date-time", "a = 1979-05-27T07:32:00Z", 1, "a", "dates are not supported"},
      {"time", "a = 07:32:00", 1, "a", "times are not supported"},
      {"float without fraction digits", "a = 1.", 1, "a", "invalid value"},
      {"float without integer part", "a = .5", 1, "a", "invalid value"},
      {"float without exponent digits", "a = 1e", 1, "a", "invalid value"},
      {"float out of range", "a = 1e999", 1, "a", "float out of range"},
      {"bare word", "a = yes", 1, "a", "invalid value 'yes'"},
      {"wrong-case boolean", "a = True", 1, "a", "invalid value 'True'"},
      {"array without comma", "a = [1 2]", 1, "a", "expected ',' or ']' in the array opened on line 1"},
      {"unterminated array", "a = [1,\n2", 1, "a", "unterminated array (no closing ']')"},
      {"error deep in an array", "a = [\n  1,\n  [2, \"x\\q\"],\n]", 3, "a[1][1]", "invalid escape"},
      {"error deep in inline tables", "p = { x = { y = 01 } }", 1, "p.x.y", "leading zeros"},
      {"error in a table", "[actors]\nnames.fr = [\"a\", 'b]", 2, "actors.names.fr[1]", "unterminated string"},
      {"quoted key in a field path", "[\"my key\"]\nx = 0b2", 2, "\"my key\".x", "invalid value"},
      {"inline table trailing comma", "a = { x = 1, }", 1, "a", "no trailing comma"},
      {"inline table over two lines", "a = { x = 1,\n y = 2 }", 1, "a", "must close on the line where it opens"},
      {"inline table missing comma", "a = { x = 1 y = 2 }", 1, "a", "expected ',' or '}'"},
      {"comment inside an inline table", "a = { # c\n }", 1, "a", "expected a key, got '#'"},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      const ConfigError e = config_error([&] { parse_toml(c.text, "t.toml"); });
      CHECK(e.source() == "t.toml");
      CHECK(e.line() == c.line);
      CHECK(e.field() == c.field);
      CHECK_THAT(e.what(), Catch::Contains(c.problem));
    }
  }
}

TEST_CASE("messages read source:line: field: problem", "[toml]") {
  const ConfigError e = config_error([] { parse_toml("[t]\nx = 1\nx = 2\n", "cb.toml"); });
  CHECK(std::string(e.what()) == "cb.toml:3: t.x: duplicate key (first defined on line 2)");
}

TEST_CASE("long keys are shortened in messages", "[toml]") {
  const std::string key(500, 'k');
  const ConfigError e = config_error([&] { parse_toml(key + " = 1\n" + key + " = 2\n", "t.toml"); });
  CHECK(e.field() == std::string(60, 'k') + "...");
}

TEST_CASE("nesting is capped at kMaxTomlDepth levels", "[toml][limits]") {
  auto nested_arrays = [](int n) {
    return "a = " + std::string(static_cast<std::size_t>(n), '[') + std::string(static_cast<std::size_t>(n), ']');
  };
  // `a` sits at depth 1 and holds the outermost array.
  CHECK_NOTHROW(parse_toml(nested_arrays(kMaxTomlDepth), "t"));
  CHECK_THROWS_WITH(parse_toml(nested_arrays(kMaxTomlDepth + 1), "t"),
                    Catch::Contains("nested deeper than 64 levels"));

  const auto start = std::chrono::steady_clock::now();
  SECTION("a million open brackets") {
    const ConfigError e = config_error([&] { parse_toml("a = " + std::string(1'000'000, '['), "t"); });
    CHECK(e.line() == 1);
    CHECK_THAT(e.what(), Catch::Contains("nested deeper"));
  }
  SECTION("deep inline tables") {
    std::string text = "a = ";
    for (int i = 0; i < 10'000; ++i) text += "{ b = ";
    text += "1";
    CHECK_THROWS_WITH(parse_toml(text, "t"), Catch::Contains("nested deeper"));
  }
  SECTION("a long dotted key") {
    std::string key = "k";
    for (int i = 0; i < 100'000; ++i) key += ".k";
    CHECK_THROWS_WITH(parse_toml(key + " = 1", "t"), Catch::Contains("nested deeper"));
  }
  SECTION("a long header") {
    std::string key = "k";
    for (int i = 0; i < 100'000; ++i) key += ".k";
    CHECK_THROWS_WITH(parse_toml("[" + key + "]", "t"), Catch::Contains("nested deeper"));
    CHECK_THROWS_WITH(parse_toml("[[" + key + "]]", "t"), Catch::Contains("nested deeper"));
  }
  SECTION("dotted keys inside deep tables") {
    std::string header = "k";
    for (int i = 1; i < kMaxTomlDepth - 1; ++i) header += ".k";  // 63 levels
    CHECK_NOTHROW(parse_toml("[" + header + "]\nx = 1", "t"));
    CHECK_THROWS_WITH(parse_toml("[" + header + "]\nx.y = 1", "t"), Catch::Contains("nested deeper"));
  }
  CHECK(seconds_since(start) < 2.0 * kSlowBuild);
}

TEST_CASE("big inputs parse in linear time", "[toml][limits]") {
  const auto start = std::chrono::steady_clock::now();
  SECTION("an array of a million integers") {
    std::string text = "a = [";
    for (int i = 0; i < 1'000'000; ++i) text += "7,\n";
    text += "]";
    const Value root = parse_toml(text, "t");
    REQUIRE(root.find("a")->array.size() == 1'000'000);
    CHECK(root.find("a")->array.back().line == 1'000'000);
  }
  SECTION("too many values") {
    std::string text = "a = [";
    for (std::size_t i = 0; i <= kMaxTomlValues; ++i) text += "0,";
    text += "]";
    CHECK_THROWS_WITH(parse_toml(text, "t"), Catch::Contains("more than 2000000 values"));
  }
  SECTION("200,000 keys in one table") {
    std::string text;
    for (int i = 0; i < 200'000; ++i) text += "k" + std::to_string(i) + " = " + std::to_string(i) + "\n";
    const ConfigError e = config_error([&] { parse_toml(text + "k5 = 1\n", "t"); });
    CHECK(e.line() == 200'001);
    CHECK(e.field() == "k5");
  }
  SECTION("100,000 headers") {
    std::string text;
    for (int i = 0; i < 100'000; ++i) text += "[[list]]\nx = 1\n[list.sub]\ny = 2\n[t" + std::to_string(i) + "]\n";
    const Value root = parse_toml(text, "t");
    CHECK(root.find("list")->array.size() == 100'000);
    CHECK(root.table.size() == 100'001);
  }
  SECTION("a long string with many escapes") {
    std::string text = "s = \"";
    for (int i = 0; i < 500'000; ++i) text += "\\u00e9";
    text += "\"";
    CHECK(parse_toml(text, "t").find("s")->str.size() == 1'000'000);
  }
  CHECK(seconds_since(start) < 5.0 * kSlowBuild);
}

TEST_CASE("text larger than the size limit is refused before parsing", "[toml][limits]") {
  const std::string text(kMaxTomlBytes + 1, '#');
  const ConfigError e = config_error([&] { parse_toml(text, "big.toml"); });
  CHECK(e.line() == 0);
  CHECK_THAT(e.what(), Catch::StartsWith("big.toml: the text is larger than 64 MiB"));
}

TEST_CASE("parse_toml_file reads files and reports I/O errors on line 0", "[toml]") {
  const std::string path = "quoteframe_test_toml_file.toml";
  {
    std::ofstream out(path, std::ios::binary);
    out << "a = 1\nb = [\n";
  }
  const ConfigError syntax = config_error([&] { parse_toml_file(path); });
  CHECK(syntax.source() == path);
  CHECK(syntax.line() == 2);
  CHECK(syntax.field() == "b");
  {
    std::ofstream out(path, std::ios::binary);
    out << "a = 1\n";
  }
  CHECK(parse_toml_file(path).find("a")->integer == 1);
  std::remove(path.c_str());

  const ConfigError missing = config_error([] { parse_toml_file("no/such/file.toml"); });
  CHECK(missing.line() == 0);
  CHECK_THAT(missing.what(), Catch::StartsWith("no/such/file.toml: cannot open the file"));
  const ConfigError directory = config_error([] { parse_toml_file("."); });
  CHECK_THAT(directory.what(), Catch::Contains("is a directory"));
}

TEST_CASE("TableReader checks types, requirements and unknown keys", "[toml]") {
  const Value root = parse_toml(
      "[[actors]]\n"                                      // 1
      "id = 'a'\n"                                        // 2
      "gender = ['f']\n"                                  // 3
      "roles = ['x', 3]\n"                                // 4
      "weight = 2\n"                                      // 5
      "ratio = 0.5\n"                                     // 6
      "on = true\n"                                       // 7
      "lable = 'A'\n"                                     // 8
      "colour = 'red'\n"                                  // 9
      "[actors.names]\n"                                  // 10
      "fr = ['x']\n"                                      // 11
      "[[actors]]\n"                                      // 12
      "items = [{ p = 1 }, 'x']\n"                        // 13
      "list = [{ p = 1 }, { p = 2 }]\n",                  // 14
      "cb.toml");
  const Value* actors = root.find("actors");
  TableReader r(actors->array[0], "cb.toml", "actors[0]");
  CHECK(r.required_string("id") == "a");
  CHECK(r.line() == 1);
  CHECK(r.field("names") == "actors[0].names");

  ConfigError e = config_error([&] { r.optional_string("gender"); });
  CHECK(std::string(e.what()) == "cb.toml:3: actors[0].gender: expected a string, got an array");
  e = config_error([&] { r.required_string("label"); });
  CHECK(std::string(e.what()) == "cb.toml:1: actors[0].label: required key is missing");
  e = config_error([&] { r.string_list("roles"); });
  CHECK(std::string(e.what()) == "cb.toml:4: actors[0].roles[1]: expected a string, got an integer");
  e = config_error([&] { r.boolean("weight", false); });
  CHECK(std::string(e.what()) == "cb.toml:5: actors[0].weight: expected a boolean, got an integer");
  e = config_error([&] { r.number("id", 0); });
  CHECK(std::string(e.what()) == "cb.toml:2: actors[0].id: expected a number, got a string");
  e = config_error([&] { r.array_of_tables("id"); });
  CHECK_THAT(e.what(), Catch::Contains("expected an array of tables"));

  CHECK(r.number("weight", 0) == 2.0);
  CHECK(r.number("ratio", 0) == 0.5);
  CHECK(r.number("absent", 1.5) == 1.5);
  CHECK(r.boolean("on", false));
  CHECK(r.boolean("absent", true));
  CHECK_FALSE(r.optional_string("absent").has_value());
  CHECK(r.string_list("absent").empty());
  CHECK(r.table("absent") == nullptr);
  CHECK(r.table("names")->find("fr") != nullptr);

  e = config_error([&] { r.finish(); });
  CHECK(e.line() == 8);
  CHECK(e.field() == "actors[0].lable");
  CHECK_THAT(e.what(), Catch::Contains("unknown key 'lable' (did you mean 'label'?)"));
  CHECK_THAT(e.what(), Catch::Contains("also unknown: 'colour' (line 9)"));

  TableReader second(actors->array[1], "cb.toml", "actors[1]");
  e = config_error([&] { second.array_of_tables("items"); });
  CHECK(std::string(e.what()) == "cb.toml:13: actors[1].items[1]: expected a table, got a string");
  CHECK(second.array_of_tables("list").size() == 2);
  CHECK(second.get("absent") == nullptr);

  TableReader root_reader(root, "cb.toml", "");
  CHECK(root_reader.field("actors") == "actors");
  CHECK(root_reader.array_of_tables("actors").size() == 2);
  CHECK_NOTHROW(root_reader.finish());

  e = config_error([&] { TableReader bad(actors->array[0].table[1].second, "cb.toml", "actors[0].gender"); });
  CHECK(std::string(e.what()) == "cb.toml:3: actors[0].gender: expected a table, got an array");
}

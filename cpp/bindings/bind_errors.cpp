#include "pybind11.hpp"

#include "quoteframe/errors.hpp"

namespace quoteframe::bindings {

// One Python type per C++ exception type. InputError and ConfigError derive
// from ValueError (bad input is the caller's to fix); IcuError from
// RuntimeError. Registered before anything that can throw them.
void register_errors(py::module_& m) {
  py::register_exception<InputError>(m, "InputError", PyExc_ValueError);
  py::register_exception<ConfigError>(m, "CodebookError", PyExc_ValueError);
  py::register_exception<IcuError>(m, "IcuError", PyExc_RuntimeError);
  // A test-only hook that raises each type, so the mapping is provable.
  m.def("_raise_for_test", [](const std::string& kind) {
    if (kind == "input") throw InputError("bad input at byte 3", 3);
    if (kind == "config") throw ConfigError("cb.toml", 7, "frames.x", "not a list");
    if (kind == "icu") throw IcuError("test", 1);
    if (kind == "invalid_argument") throw std::invalid_argument("plain invalid argument");
    if (kind == "out_of_range") throw std::out_of_range("index out of range");
    if (kind == "runtime") throw std::runtime_error("runtime failure");
    throw std::invalid_argument("unknown kind: " + kind);
  });
}

}  // namespace quoteframe::bindings

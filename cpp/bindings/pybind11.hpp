// Included first by every binding file: one place for pybind11 headers and
// the shared aliases, so that every translation unit sees the same type
// casters (a mismatch between files is an ODR violation).
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/eigen.h>

namespace py = pybind11;

namespace quoteframe::bindings {
// Each area registers its classes and functions on the module.
void register_errors(py::module_& m);
void register_text(py::module_& m);
void register_config(py::module_& m);
void register_stats(py::module_& m);
void register_analyze(py::module_& m);
}  // namespace quoteframe::bindings

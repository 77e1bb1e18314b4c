#pragma once
#include <stdexcept>
#include <string>

namespace keras {

/// Base of every exception keras-cpp throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad arguments, shapes, dtypes or configs (Python's ValueError).
class ValueError : public Error {
 public:
  using Error::Error;
};

/// Failures of oneDNN, CUDA, HDF5, files and other runtime resources.
class RuntimeError : public Error {
 public:
  using Error::Error;
};

/// A feature that keras-cpp does not support (yet), said plainly instead of a wrong answer.
class NotImplementedError : public Error {
 public:
  using Error::Error;
};

}  // namespace keras

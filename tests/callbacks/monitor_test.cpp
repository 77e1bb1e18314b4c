#include <keras/callbacks/monitor.h>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using keras::callbacks::detail::float_repr;

TEST_SUITE("training") {

TEST_CASE("float_repr prints doubles as Python's repr does") {
  CHECK(float_repr(0.1) == "0.1");
  CHECK(float_repr(0.0) == "0.0");
  CHECK(float_repr(-0.0) == "-0.0");
  CHECK(float_repr(1.0) == "1.0");
  CHECK(float_repr(-2.5) == "-2.5");
  CHECK(float_repr(100.0) == "100.0");
  CHECK(float_repr(12345.678) == "12345.678");
  CHECK(float_repr(0.0001) == "0.0001");
  CHECK(float_repr(1e-05) == "1e-05");
  CHECK(float_repr(1.5e-07) == "1.5e-07");
  CHECK(float_repr(1e15) == "1000000000000000.0");
  CHECK(float_repr(1e16) == "1e+16");
  CHECK(float_repr(1.2345678901234568e+17) == "1.2345678901234568e+17");
  CHECK(float_repr(1e22) == "1e+22");
  CHECK(float_repr(1e-300) == "1e-300");
  CHECK(float_repr(static_cast<double>(0.1f)) == "0.10000000149011612");
  CHECK(float_repr(std::nan("")) == "nan");
  CHECK(float_repr(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(float_repr(-std::numeric_limits<double>::infinity()) == "-inf");
}

}  // TEST_SUITE

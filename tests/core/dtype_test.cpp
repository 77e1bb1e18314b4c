#include <keras/keras.h>

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

using namespace keras;

namespace {

const std::vector<DType> kAll = {DType::float32, DType::float64, DType::float16, DType::bfloat16,
                                 DType::int32,   DType::int64,   DType::uint8,   DType::bool_};

uint16_t half_bits(float v) { return float16_t(v).bits; }
uint16_t bf16_bits(float v) { return bfloat16_t(v).bits; }
float from_half(uint16_t bits) {
  float16_t h;
  h.bits = bits;
  return static_cast<float>(h);
}
float from_bf16(uint16_t bits) {
  bfloat16_t b;
  b.bits = bits;
  return static_cast<float>(b);
}

}  // namespace

TEST_SUITE("core") {

TEST_CASE("dtype names round-trip through dtype_from_name") {
  const std::vector<const char*> names = {"float32", "float64", "float16", "bfloat16", "int32", "int64", "uint8", "bool"};
  for (size_t i = 0; i < kAll.size(); ++i) {
    CHECK(dtype_name(kAll[i]) == names[i]);
    CHECK(dtype_from_name(names[i]) == kAll[i]);
  }
  CHECK(dtype_from_name("float") == DType::float32);
  CHECK(dtype_from_name("double") == DType::float64);
  CHECK(dtype_from_name("half") == DType::float16);
  CHECK_THROWS_WITH_AS(dtype_from_name("int16"), doctest::Contains("Invalid dtype: 'int16'"), ValueError);
  CHECK_THROWS_WITH_AS(dtype_from_name("Float32"), doctest::Contains("float32, float64"), ValueError);
}

TEST_CASE("dtype sizes and kinds") {
  const std::vector<size_t> sizes = {4, 8, 2, 2, 4, 8, 1, 1};
  for (size_t i = 0; i < kAll.size(); ++i) CHECK(dtype_size(kAll[i]) == sizes[i]);
  CHECK(is_floating(DType::bfloat16));
  CHECK_FALSE(is_floating(DType::int64));
  CHECK(is_integer(DType::uint8));
  CHECK_FALSE(is_integer(DType::bool_));
  CHECK_FALSE(is_integer(DType::float16));
  CHECK(dtype_v<float16_t> == DType::float16);
  CHECK(dtype_v<bool> == DType::bool_);
}

TEST_CASE("promote_types follows the bool < uint8 < int32 < int64 < half < float32 < float64 lattice") {
  using D = DType;
  // Rows and columns in kAll order: f32 f64 f16 bf16 i32 i64 u8 bool.
  const std::vector<std::vector<D>> table = {
      {D::float32, D::float64, D::float32, D::float32, D::float32, D::float32, D::float32, D::float32},
      {D::float64, D::float64, D::float64, D::float64, D::float64, D::float64, D::float64, D::float64},
      {D::float32, D::float64, D::float16, D::float32, D::float16, D::float16, D::float16, D::float16},
      {D::float32, D::float64, D::float32, D::bfloat16, D::bfloat16, D::bfloat16, D::bfloat16, D::bfloat16},
      {D::float32, D::float64, D::float16, D::bfloat16, D::int32, D::int64, D::int32, D::int32},
      {D::float32, D::float64, D::float16, D::bfloat16, D::int64, D::int64, D::int64, D::int64},
      {D::float32, D::float64, D::float16, D::bfloat16, D::int32, D::int64, D::uint8, D::uint8},
      {D::float32, D::float64, D::float16, D::bfloat16, D::int32, D::int64, D::uint8, D::bool_},
  };
  for (size_t i = 0; i < kAll.size(); ++i) {
    for (size_t j = 0; j < kAll.size(); ++j) {
      CAPTURE(dtype_name(kAll[i]));
      CAPTURE(dtype_name(kAll[j]));
      CHECK(promote_types(kAll[i], kAll[j]) == table[i][j]);
    }
  }
}

TEST_CASE("float16 converts normals, subnormals, infinities and NaN with round-to-nearest-even") {
  CHECK(half_bits(1.0f) == 0x3c00);
  CHECK(half_bits(-2.0f) == 0xc000);
  CHECK(half_bits(65504.0f) == 0x7bff);
  CHECK(half_bits(0.0f) == 0x0000);
  CHECK(half_bits(-0.0f) == 0x8000);
  // Ties go to the even mantissa: 1 + 2^-11 -> 1, 1 + 3 * 2^-11 -> 1 + 2^-9.
  CHECK(half_bits(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);
  CHECK(half_bits(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3c02);
  CHECK(half_bits(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -22)) == 0x3c01);
  // The largest half is 65504; 65520 is the midpoint to the next power of two and rounds to infinity.
  CHECK(half_bits(65519.0f) == 0x7bff);
  CHECK(half_bits(65520.0f) == 0x7c00);
  CHECK(half_bits(1e6f) == 0x7c00);
  CHECK(half_bits(std::numeric_limits<float>::infinity()) == 0x7c00);
  CHECK(half_bits(-std::numeric_limits<float>::infinity()) == 0xfc00);
  CHECK(std::isnan(static_cast<float>(float16_t(std::numeric_limits<float>::quiet_NaN()))));
  // Subnormals: multiples of 2^-24, with ties to even; 2^-14 is the smallest normal.
  CHECK(half_bits(std::ldexp(1.0f, -24)) == 0x0001);
  CHECK(half_bits(std::ldexp(1.0f, -25)) == 0x0000);
  CHECK(half_bits(std::ldexp(1.5f, -25)) == 0x0001);
  CHECK(half_bits(std::ldexp(3.0f, -25)) == 0x0002);
  CHECK(half_bits(-std::ldexp(5.0f, -24)) == 0x8005);
  CHECK(half_bits(std::ldexp(1.0f, -14)) == 0x0400);
  CHECK(half_bits(std::ldexp(1.0f, -14) - std::ldexp(1.0f, -26)) == 0x0400);  // rounds up into the normals
  CHECK(from_half(0x0001) == std::ldexp(1.0f, -24));
  CHECK(from_half(0x03ff) == std::ldexp(1023.0f, -24));
  CHECK(from_half(0xfbff) == -65504.0f);
}

TEST_CASE("every float16 survives a round trip through float") {
  for (uint32_t b = 0; b <= 0xffff; ++b) {
    const uint16_t bits = static_cast<uint16_t>(b);
    const float f = from_half(bits);
    if (std::isnan(f)) {
      CHECK(std::isnan(static_cast<float>(float16_t(f))));
    } else if (half_bits(f) != bits) {
      FAIL_CHECK("float16 bits " << b << " came back as " << half_bits(f));
    }
  }
}

TEST_CASE("bfloat16 keeps float32's range and rounds its mantissa to nearest even") {
  CHECK(bf16_bits(1.0f) == 0x3f80);
  CHECK(bf16_bits(-2.5f) == 0xc020);
  CHECK(bf16_bits(1.0f + std::ldexp(1.0f, -8)) == 0x3f80);       // tie, to even
  CHECK(bf16_bits(1.0f + 3 * std::ldexp(1.0f, -8)) == 0x3f82);   // tie, to even
  CHECK(bf16_bits(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)) == 0x3f81);
  CHECK(bf16_bits(1e38f) == 0x7e96);  // 0x7e967699: the low half is under a tie
  CHECK(bf16_bits(std::numeric_limits<float>::max()) == 0x7f80);  // rounds past the largest bfloat16
  CHECK(bf16_bits(std::numeric_limits<float>::infinity()) == 0x7f80);
  CHECK(bf16_bits(std::ldexp(1.0f, -133)) == 0x0001);  // a subnormal
  CHECK(std::isnan(from_bf16(bf16_bits(std::numeric_limits<float>::quiet_NaN()))));
  // A NaN whose payload sits in the low bits must not round to infinity.
  uint32_t nan_bits = 0x7f800001u;
  float nan;
  std::memcpy(&nan, &nan_bits, 4);
  CHECK(std::isnan(from_bf16(bf16_bits(nan))));
  for (uint32_t b = 0; b <= 0xffff; ++b) {
    const float f = from_bf16(static_cast<uint16_t>(b));
    if (!std::isnan(f) && bf16_bits(f) != b) FAIL_CHECK("bfloat16 bits " << b << " came back as " << bf16_bits(f));
  }
}

TEST_CASE("element_cast truncates floats toward zero and maps nonzero to true") {
  CHECK(element_cast<int32_t>(-2.7) == -2);
  CHECK(element_cast<int64_t>(float16_t(3.5f)) == 3);
  CHECK(element_cast<bool>(0.25f) == true);
  CHECK(element_cast<bool>(bfloat16_t(0.0f)) == false);
  CHECK(static_cast<float>(element_cast<float16_t>(int32_t{7})) == 7.0f);
  CHECK(element_cast<uint8_t>(true) == 1);
}

}  // TEST_SUITE

#include <doctest/doctest.h>
#include <keras/core/config.h>
#include <keras/core/errors.h>
#include <keras/core/ops/conv_utils.h>

using namespace keras;

TEST_SUITE("core") {
  TEST_CASE("image_data_format defaults to channels_last and can be changed") {
    CHECK(config::image_data_format() == "channels_last");
    config::set_image_data_format("channels_first");
    CHECK(ops::conv_utils::standardize_data_format("") == "channels_first");
    config::set_image_data_format("channels_last");
    CHECK(ops::conv_utils::standardize_data_format("") == "channels_last");
    CHECK_THROWS_WITH_AS(config::set_image_data_format("NHWC"), doctest::Contains("'NHWC'"), ValueError);
  }

  TEST_CASE("conv_utils computes Keras's output lengths and TensorFlow's same padding") {
    using namespace ops::conv_utils;
    CHECK(output_length(28, 3, "valid", 1) == 26);
    CHECK(output_length(28, 3, "same", 2) == 14);
    CHECK(output_length(7, 3, "valid", 2, 2) == 2);
    CHECK(output_length(2, 3, "valid", 1) == 0);
    // Even kernel, "same": TensorFlow puts the extra cell after.
    CHECK(padding_amounts(5, 2, "same", 1) == std::pair<int64_t, int64_t>{0, 1});
    CHECK(padding_amounts(6, 3, "same", 2) == std::pair<int64_t, int64_t>{0, 1});
    CHECK(padding_amounts(10, 3, "causal", 1, 2) == std::pair<int64_t, int64_t>{4, 0});
    CHECK(transpose_output_length(4, 3, "valid", 2) == 9);
    CHECK(transpose_output_length(4, 3, "same", 2) == 8);
    CHECK(transpose_output_length(4, 3, "same", 2, 1, 1) == 8);
    CHECK(normalize_tuple({3}, 2, "kernel_size") == std::vector<int64_t>{3, 3});
    CHECK_THROWS_WITH_AS(normalize_tuple({3, 3, 3}, 2, "strides"), doctest::Contains("`strides`"), ValueError);
    CHECK_THROWS_AS(standardize_padding("full"), ValueError);
    CHECK(standardize_padding("SAME") == "same");
  }
}

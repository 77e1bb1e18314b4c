#include <keras/keras.h>

#include <doctest/doctest.h>

#include <limits>

using namespace keras;

TEST_SUITE("core") {

TEST_CASE("Shape prints as a Python tuple, None for unknown dimensions") {
  CHECK(Shape{2, 3}.str() == "(2, 3)");
  CHECK(Shape{3}.str() == "(3,)");
  CHECK(Shape{}.str() == "()");
  CHECK(Shape{None, 8}.str() == "(None, 8)");
}

TEST_CASE("Shape counts elements and indexes from either end") {
  const Shape s{2, 3, 4};
  CHECK(s.rank() == 3);
  CHECK(s.size() == 24);
  CHECK(Shape{}.size() == 1);
  CHECK(Shape{0, 5}.size() == 0);
  CHECK(s[0] == 2);
  CHECK(s[-1] == 4);
  CHECK(s[-3] == 2);
  Shape m{1, 2};
  m[-1] = 7;
  CHECK(m == Shape{1, 7});
  CHECK_THROWS_WITH_AS(s[3], doctest::Contains("axis 3 is out of bounds for a tensor of rank 3"), ValueError);
  CHECK_THROWS_AS(s[-4], ValueError);
  CHECK(Shape(std::vector<int64_t>{4, 5}) == Shape{4, 5});
  CHECK(Shape{4, 5} != Shape{5, 4});
}

TEST_CASE("Shape rejects negative dimensions and sizes it cannot count") {
  CHECK_THROWS_WITH_AS(Shape({2, -3}), doctest::Contains("Invalid shape dimension -3"), ValueError);
  CHECK_THROWS_WITH_AS(Shape({None, 3}).size(), doctest::Contains("(None, 3) has an unknown (None) dimension"),
                       ValueError);
  const int64_t big = std::numeric_limits<int64_t>::max() / 2;
  CHECK_THROWS_WITH_AS(Shape({big, 3}).size(), doctest::Contains("too many elements"), ValueError);
  CHECK(Shape{None, 3}.is_fully_defined() == false);
  CHECK(Shape{2, 3}.is_fully_defined());
}

TEST_CASE("normalize_axis maps negative axes and names the op when out of range") {
  CHECK(normalize_axis(-1, 3, "sum") == 2);
  CHECK(normalize_axis(0, 1, "sum") == 0);
  CHECK_THROWS_WITH_AS(normalize_axis(2, 2, "softmax"), doctest::Contains("softmax: axis 2 is out of bounds"),
                       ValueError);
  CHECK_THROWS_WITH_AS(normalize_axis(-3, 2, "mean"), doctest::Contains("rank 2"), ValueError);
  CHECK_THROWS_AS(normalize_axis(0, 0, "squeeze"), ValueError);
}

TEST_CASE("broadcast_shapes follows NumPy and names both shapes when it cannot") {
  CHECK(broadcast_shapes({2, 1, 3}, {4, 3}, "add") == Shape{2, 4, 3});
  CHECK(broadcast_shapes({}, {5}, "add") == Shape{5});
  CHECK(broadcast_shapes({3, 1}, {1, 4}, "add") == Shape{3, 4});
  CHECK(broadcast_shapes({0, 1}, {1, 4}, "add") == Shape{0, 4});
  CHECK(broadcast_shapes({None, 3}, {1, 3}, "add") == Shape{None, 3});
  CHECK(broadcast_shapes({None, 3}, {5, 3}, "add") == Shape{5, 3});
  CHECK_THROWS_WITH_AS(broadcast_shapes({2, 3}, {4, 5}, "multiply"),
                       doctest::Contains("multiply: cannot broadcast shapes (2, 3) and (4, 5)"), ValueError);
  CHECK_THROWS_WITH_AS(broadcast_shapes({3}, {4}, "add"), doctest::Contains("(3,) and (4,)"), ValueError);
}

TEST_CASE("contiguous_strides are row-major element strides") {
  CHECK(contiguous_strides(Shape{2, 3, 4}) == std::vector<int64_t>{12, 4, 1});
  CHECK(contiguous_strides(Shape{5}) == std::vector<int64_t>{1});
  CHECK(contiguous_strides(Shape{}).empty());
}

}  // TEST_SUITE

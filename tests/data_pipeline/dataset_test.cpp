#include <keras/data/data.h>
#include <keras/keras.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <numeric>
#include <thread>
#include <vector>

using namespace keras;
using data::Dataset;
using data::Element;

namespace {

// x[i] = (i, -i) as float32 of shape (n, 2); y[i] = i as int32.
Tensor features(int n) {
  std::vector<float> v;
  for (int i = 0; i < n; ++i) {
    v.push_back(static_cast<float>(i));
    v.push_back(static_cast<float>(-i));
  }
  return Tensor::from_vector(v, {n, 2});
}
Tensor labels(int n) {
  std::vector<int32_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return Tensor::from_vector(v);
}

// The int32 values of component `c` of every element (batched or not), in order.
std::vector<int32_t> flat(const Dataset& ds, size_t c = 0) {
  std::vector<int32_t> out;
  for (const Element& e : ds) {
    const auto v = e[c].to_vector<int32_t>();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

std::vector<int32_t> range(int32_t begin, int32_t end) {
  std::vector<int32_t> v(static_cast<size_t>(end - begin));
  std::iota(v.begin(), v.end(), begin);
  return v;
}

std::vector<int32_t> sorted(std::vector<int32_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_SUITE("training") {

TEST_CASE("from_tensor_slices yields row i of every tensor as element i") {
  const Dataset ds = Dataset::from_tensor_slices({features(3), labels(3)});
  CHECK(ds.cardinality() == 3);
  CHECK(ds.names().empty());
  int i = 0;
  for (const Element& e : ds) {
    REQUIRE(e.size() == 2);
    CHECK(e[0].shape() == Shape{2});
    CHECK(e[1].shape() == Shape{});
    CHECK(e[0].to_vector<float>() == std::vector<float>{static_cast<float>(i), static_cast<float>(-i)});
    CHECK(e[1].item<int32_t>() == i);
    ++i;
  }
  CHECK(i == 3);
}

TEST_CASE("from_tensor_slices of one tensor gives one-component elements") {
  const Dataset ds = Dataset::from_tensor_slices(labels(4));
  CHECK(flat(ds) == range(0, 4));
}

TEST_CASE("from_tensor_slices of named tensors keeps them in sorted name order") {
  const Dataset ds = Dataset::from_tensor_slices({{"y", labels(2)}, {"x", features(2)}});
  CHECK(ds.names() == std::vector<std::string>{"x", "y"});
  auto it = ds.iterate();
  const Element e = *it.next();
  CHECK(e[0].shape() == Shape{2});
  CHECK(e[1].item<int32_t>() == 0);
  CHECK(ds.batch(2).shuffle(2, 1).names() == ds.names());
}

TEST_CASE("from_tensor_slices rejects mismatched lengths, scalars, duplicates and nothing") {
  CHECK_THROWS_WITH_AS(Dataset::from_tensor_slices({features(3), labels(4)}),
                       doctest::Contains("component 0 has shape (3, 2) and component 1 has shape (4,)"), ValueError);
  CHECK_THROWS_WITH_AS(Dataset::from_tensor_slices(Tensor::scalar(1.f)), doctest::Contains("scalar"), ValueError);
  CHECK_THROWS_WITH_AS(Dataset::from_tensor_slices({{"a", labels(2)}, {"a", labels(2)}}),
                       doctest::Contains("'a' appears twice"), ValueError);
  CHECK_THROWS_WITH_AS(Dataset::from_tensor_slices(Tensors{}), doctest::Contains("at least one"), ValueError);
  CHECK_THROWS_WITH_AS(Dataset::from_tensor_slices(Tensors{Tensor()}), doctest::Contains("None"), ValueError);
}

TEST_CASE("batch stacks consecutive elements and keeps or drops the remainder") {
  const Dataset ds = Dataset::from_tensor_slices({features(7), labels(7)});
  std::vector<int64_t> sizes;
  for (const Element& b : ds.batch(3)) {
    sizes.push_back(b[0].shape()[0]);
    CHECK(b[0].shape() == Shape{b[0].shape()[0], 2});
    const auto x = b[0].to_vector<float>();
    const auto y = b[1].to_vector<int32_t>();
    for (size_t j = 0; j < y.size(); ++j) CHECK(x[2 * j] == static_cast<float>(y[j]));
  }
  CHECK(sizes == std::vector<int64_t>{3, 3, 1});
  CHECK(flat(ds.batch(3), 1) == range(0, 7));
  CHECK(ds.batch(3).cardinality() == 3);
  CHECK(ds.batch(3, true).cardinality() == 2);
  CHECK(flat(ds.batch(3, true), 1) == range(0, 6));
  CHECK(ds.batch(7, true).cardinality() == 1);
  CHECK(ds.batch(8, true).cardinality() == 0);
  CHECK(flat(ds.batch(8, true)).empty());
  CHECK_THROWS_WITH_AS(ds.batch(0), doctest::Contains("batch_size must be positive"), ValueError);
}

TEST_CASE("batch of consecutive rows shares the source's buffer instead of copying") {
  const Tensor x = features(6);
  auto it = Dataset::from_tensor_slices(x).batch(4).iterate();
  const Element first = *it.next();
  const Element second = *it.next();
  CHECK(first[0].storage() == x.storage());
  CHECK(second[0].storage() == x.storage());
  CHECK(second[0].to_vector<float>() == std::vector<float>{4, -4, 5, -5});
  CHECK_FALSE(it.next().has_value());
  CHECK_FALSE(it.next().has_value());  // stays at the end
}

TEST_CASE("batch after map stacks elements and rejects elements of different shapes") {
  const Dataset ds = Dataset::from_tensor_slices(labels(5)).map([](const Element& e) { return Element{e[0] * 10.0}; });
  CHECK(flat(ds.batch(2)) == std::vector<int32_t>{0, 10, 20, 30, 40});
  CHECK(ds.batch(2).cardinality() == 3);

  const Dataset ragged = Dataset::from_tensor_slices(labels(3)).map([](const Element& e) {
    return Element{ops::zeros(Shape{e[0].item<int32_t>()})};
  });
  CHECK_THROWS_WITH_AS(flat(ragged.batch(3)), doctest::Contains("Cannot batch tensors with different shapes"),
                       ValueError);
}

TEST_CASE("shuffle with a seed repeats exactly and gives each pass its own order") {
  const Dataset base = Dataset::from_tensor_slices(labels(50));
  const Dataset a = base.shuffle(50, 7);
  const Dataset b = base.shuffle(50, 7);
  const auto a1 = flat(a), a2 = flat(a);
  CHECK(sorted(a1) == range(0, 50));
  CHECK(sorted(a2) == range(0, 50));
  CHECK(a1 != range(0, 50));
  CHECK(a1 != a2);                       // reshuffled each iteration
  CHECK(flat(b) == a1);                  // an identical pipeline repeats pass by pass
  CHECK(flat(b) == a2);
  CHECK(flat(base.shuffle(50, 8)) != a1);

  const Dataset fixed = base.shuffle(50, 7, false);
  CHECK(flat(fixed) == flat(fixed));
  CHECK(a.cardinality() == 50);
}

TEST_CASE("unseeded shuffles follow the global seed") {
  const Dataset base = Dataset::from_tensor_slices(labels(30));
  utils::set_random_seed(3);
  const auto first = flat(base.shuffle(30));
  utils::set_random_seed(3);
  CHECK(flat(base.shuffle(30)) == first);
  CHECK(sorted(first) == range(0, 30));
}

TEST_CASE("shuffle with a small buffer only moves elements a bounded distance") {
  const Dataset base = Dataset::from_tensor_slices(labels(40));
  CHECK(flat(base.shuffle(1, 5)) == range(0, 40));
  const auto out = flat(base.shuffle(4, 5));
  CHECK(sorted(out) == range(0, 40));
  // With a buffer of b, output position p can only hold elements 0 .. p + b - 1.
  for (size_t p = 0; p < out.size(); ++p) CHECK(out[p] <= static_cast<int32_t>(p) + 3);
  CHECK_THROWS_WITH_AS(base.shuffle(0), doctest::Contains("buffer_size must be positive"), ValueError);
}

TEST_CASE("shuffle then batch gathers every sample exactly once per epoch, features with their labels") {
  const Dataset ds = Dataset::from_tensor_slices({features(100), labels(100)}).shuffle(100, 11).batch(7);
  CHECK(ds.cardinality() == 15);
  std::vector<int32_t> epochs[2];
  for (auto& seen : epochs) {
    int batches = 0;
    for (const Element& b : ds) {
      CHECK(b[0].shape()[0] == (batches < 14 ? 7 : 2));
      const auto x = b[0].to_vector<float>();
      const auto y = b[1].to_vector<int32_t>();
      for (size_t j = 0; j < y.size(); ++j) {
        CHECK(x[2 * j] == static_cast<float>(y[j]));
        CHECK(x[2 * j + 1] == -static_cast<float>(y[j]));
      }
      seen.insert(seen.end(), y.begin(), y.end());
      ++batches;
    }
    CHECK(batches == 15);
    CHECK(sorted(seen) == range(0, 100));
  }
  CHECK(epochs[0] != epochs[1]);
}

TEST_CASE("shuffle, repeat and batch gather across epoch boundaries") {
  const Dataset ds = Dataset::from_tensor_slices(labels(10)).shuffle(10, 2).repeat(3).batch(4);
  CHECK(ds.cardinality() == 8);
  const auto all = flat(ds);
  REQUIRE(all.size() == 30);
  for (int epoch = 0; epoch < 3; ++epoch) {
    const std::vector<int32_t> part(all.begin() + epoch * 10, all.begin() + epoch * 10 + 10);
    CHECK(sorted(part) == range(0, 10));
  }
  CHECK_FALSE(std::equal(all.begin(), all.begin() + 10, all.begin() + 10));  // each epoch its own order
}

TEST_CASE("repeat, take and skip select elements and report their cardinality") {
  const Dataset ds = Dataset::from_tensor_slices(labels(5));
  CHECK(flat(ds.take(3)) == range(0, 3));
  CHECK(ds.take(3).cardinality() == 3);
  CHECK(ds.take(9).cardinality() == 5);
  CHECK(flat(ds.take(-1)) == range(0, 5));
  CHECK(flat(ds.skip(2)) == range(2, 5));
  CHECK(ds.skip(2).cardinality() == 3);
  CHECK(ds.skip(9).cardinality() == 0);
  CHECK(flat(ds.skip(9)).empty());
  CHECK(flat(ds.skip(-1)).empty());
  CHECK(flat(ds.repeat(2)) == std::vector<int32_t>{0, 1, 2, 3, 4, 0, 1, 2, 3, 4});
  CHECK(ds.repeat(3).cardinality() == 15);
  CHECK(ds.repeat(0).cardinality() == 0);
  CHECK(flat(ds.repeat(0)).empty());
  CHECK_FALSE(ds.repeat().cardinality().has_value());
  CHECK(ds.repeat().take(7).cardinality() == 7);
  CHECK(flat(ds.repeat().take(7)) == std::vector<int32_t>{0, 1, 2, 3, 4, 0, 1});
  CHECK(flat(ds.skip(1).take(2).repeat(2)) == std::vector<int32_t>{1, 2, 1, 2});
  CHECK(flat(ds.take(0).repeat()).empty());  // an empty input repeated forever ends
  CHECK(flat(ds.map([](const Element& e) { return e; }).skip(3).repeat(2)) == std::vector<int32_t>{3, 4, 3, 4});
  CHECK(ds.map([](const Element& e) { return e; }).cardinality() == 5);
  CHECK_THROWS_WITH_AS(ds.take(-2), doctest::Contains("count must be non-negative"), ValueError);
}

TEST_CASE("map applies the function to each element and checks named arity") {
  const Dataset ds = Dataset::from_tensor_slices({labels(3), labels(3)}).map([](const Element& e) {
    return Element{e[0] + e[1], e[0] * 3.0};
  });
  CHECK(flat(ds, 0) == std::vector<int32_t>{0, 2, 4});
  CHECK(flat(ds, 1) == std::vector<int32_t>{0, 3, 6});

  const Dataset named = Dataset::from_tensor_slices({{"x", labels(2)}, {"y", labels(2)}});
  CHECK_THROWS_WITH_AS(flat(named.map([](const Element& e) { return Element{e[0]}; })),
                       doctest::Contains("components are named ('x', 'y')"), ValueError);
}

TEST_CASE("an iterator outlives the dataset it came from") {
  auto it = Dataset::from_tensor_slices(labels(3)).map([](const Element& e) { return Element{e[0] + 1.0}; }).iterate();
  CHECK(it.next()->at(0).item<int32_t>() == 1);
  CHECK(it.next()->at(0).item<int32_t>() == 2);
}

TEST_CASE("prefetch yields the same elements in the same order") {
  const Dataset ds = Dataset::from_tensor_slices({features(50), labels(50)}).shuffle(50, 4, false).batch(8);
  CHECK(flat(ds.prefetch(3), 1) == flat(ds, 1));
  CHECK(flat(ds.prefetch(data::AUTOTUNE), 1) == flat(ds, 1));
  CHECK(flat(ds.prefetch(0), 1) == flat(ds, 1));
  CHECK(ds.prefetch(2).cardinality() == 7);
  CHECK(flat(ds.prefetch(1).prefetch(1), 1) == flat(ds, 1));
  CHECK_THROWS_WITH_AS(ds.prefetch(-3), doctest::Contains("buffer_size must be non-negative"), ValueError);
}

TEST_CASE("prefetch rethrows an exception from the worker after the elements before it") {
  const Dataset ds = Dataset::from_tensor_slices(labels(10))
                         .map([](const Element& e) {
                           if (e[0].item<int32_t>() == 3) throw ValueError("bad element 3");
                           return e;
                         })
                         .prefetch(2);
  auto it = ds.iterate();
  for (int i = 0; i < 3; ++i) CHECK(it.next()->at(0).item<int32_t>() == i);
  CHECK_THROWS_WITH_AS(it.next(), doctest::Contains("bad element 3"), ValueError);
  CHECK_FALSE(it.next().has_value());
}

TEST_CASE("prefetch stops its worker when the iterator is destroyed early") {
  auto calls = std::make_shared<std::atomic<int>>(0);
  const Dataset ds = Dataset::from_tensor_slices(labels(4))
                         .repeat()
                         .map([calls](const Element& e) {
                           ++*calls;
                           return e;
                         })
                         .prefetch(3);
  {
    auto it = ds.iterate();
    CHECK(it.next()->at(0).item<int32_t>() == 0);
    CHECK(it.next()->at(0).item<int32_t>() == 1);
  }  // joins the worker of an endless pipeline
  const int after = calls->load();
  CHECK(after <= 2 + 3 + 1);  // what was consumed, the queue, and one in flight
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(calls->load() == after);
  // Abandoned range-for loops and never-read iterators stop as well.
  for (const Element& e : ds) {
    if (e[0].item<int32_t>() == 2) break;
  }
  { auto unused = ds.iterate(); }
}

}  // TEST_SUITE

#include <keras/core/allocator.h>
#include <keras/keras.h>

#include <doctest/doctest.h>

#include <cstdint>
#include <thread>
#include <vector>

using namespace keras;

// As core/allocator.cpp decides: sanitizer builds allocate every block with malloc.
#if defined(__SANITIZE_ADDRESS__)
#define KERAS_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define KERAS_TEST_SANITIZED 1
#endif
#endif

TEST_SUITE("core") {

TEST_CASE("the host pool hands a freed block to the next request of its size") {
  memory::empty_cache();
  void* a = memory::allocate_host(1000);
  CHECK(reinterpret_cast<uintptr_t>(a) % 64 == 0);
  memory::deallocate_host(a, 1000);
  CHECK(memory::pool_stats().cached_bytes == 1024);  // rounded up to 64 bytes
  const uint64_t hits = memory::pool_stats().hits;
  void* b = memory::allocate_host(1010);  // the same rounded size
  CHECK(b == a);
  CHECK(memory::pool_stats().hits == hits + 1);
  CHECK(memory::pool_stats().cached_bytes == 0);
  memory::deallocate_host(b, 1010);
  memory::empty_cache();
  CHECK(memory::pool_stats().cached_blocks == 0);
}

TEST_CASE("the host pool caches a training step's buffers but not a dataset's") {
  memory::empty_cache();
  const size_t step = size_t{12} << 20, dataset = size_t{32} << 20;  // a CNN activation; a float test set
  memory::deallocate_host(memory::allocate_host(step), step);
  CHECK(memory::pool_stats().cached_bytes == step);
  memory::deallocate_host(memory::allocate_host(dataset), dataset);
  CHECK(memory::pool_stats().cached_bytes == step);
  memory::empty_cache();
}

TEST_CASE("inside a RecurringScope the host pool caches big blocks too") {
  memory::empty_cache();
  const size_t big = size_t{40} << 20;  // a CNN's first activations at a predict batch of 1000: ~86 MB
  void* first = memory::allocate_host(big);
  {
    memory::RecurringScope recurring;
    memory::deallocate_host(first, big);
    CHECK(memory::pool_stats().cached_bytes == big);
    void* again = memory::allocate_host(big);
    CHECK(again == first);
    {
      memory::RecurringScope nested;
    }
    memory::deallocate_host(again, big);  // the outer scope still holds
    CHECK(memory::pool_stats().cached_bytes == big);
  }
  void* after = memory::allocate_host(big);
  memory::deallocate_host(after, big);  // no scope: back to the system
  CHECK(memory::pool_stats().cached_bytes == 0);
  memory::empty_cache();
}

TEST_CASE("the outermost LoopScope empties the host pool as it ends") {
  memory::empty_cache();
  {
    memory::LoopScope fit;
    memory::deallocate_host(memory::allocate_host(4096), 4096);
    {
      memory::LoopScope validation;  // evaluate inside fit
      memory::deallocate_host(memory::allocate_host(8192), 8192);
    }
    CHECK(memory::pool_stats().cached_bytes == 4096 + 8192);  // fit's steps still find their buffers
  }
  CHECK(memory::pool_stats().cached_bytes == 0);
}

TEST_CASE("fit, evaluate and predict leave the host pool empty") {
  Sequential model({Input({8}), layers::Dense(4, {.activation = "relu"}), layers::Dense(2)});
  model.compile({.optimizer = optimizers::SGD(), .loss = "mse"});
  const Tensor x = ops::ones({64, 8}), y = ops::zeros({64, 2});
  memory::empty_cache();
  model.fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0, .validation_data = {x, y}});
  CHECK(memory::pool_stats().cached_bytes == 0);
  const uint64_t hits = memory::pool_stats().hits;
  model.evaluate(x, y, {.batch_size = 16, .verbose = 0});
  CHECK(memory::pool_stats().hits > hits);  // its steps reused each other's buffers
  CHECK(memory::pool_stats().cached_bytes == 0);
  const Tensor predicted = model.predict(x, {.batch_size = 16});
  CHECK(memory::pool_stats().cached_bytes == 0);  // the result still held
}

TEST_CASE("a replayed function reuses its big buffers") {
  memory::empty_cache();
  // Each call makes an intermediate of 20 MB, over the size the pool keeps outside a scope.
  Function f([](const Tensors& a) { return Tensors{ops::sum(ops::multiply(a[0], a[0]))}; });
  const Tensor x = ops::ones({5 << 20});
  f({x});
  f({x});
  const uint64_t misses = memory::pool_stats().misses;
  const Tensor y = f({x})[0];
  CHECK(memory::pool_stats().misses == misses);
  CHECK(y.item<float>() == doctest::Approx(5 << 20));
  memory::empty_cache();
}

TEST_CASE("tensors of a repeated shape reuse their buffers") {
  memory::empty_cache();
  const void* first = nullptr;
  {
    const Tensor t = ops::ones({100, 100});
    first = t.data();
  }
  const Tensor u = ops::zeros({100, 100});
  CHECK(u.data() == first);
  CHECK(u.to_vector<float>()[0] == 0.f);  // a reused buffer is filled like a fresh one
}

TEST_CASE("the host pool keeps no more than its limit") {
  memory::empty_cache();
  memory::set_pool_limit(4096);
  std::vector<void*> blocks;
  for (int i = 0; i < 3; ++i) blocks.push_back(memory::allocate_host(2048));
  for (void* p : blocks) memory::deallocate_host(p, 2048);
  CHECK(memory::pool_stats().cached_bytes <= 4096);
  memory::set_pool_limit(0);  // off: nothing is cached
  CHECK(memory::pool_stats().cached_bytes == 0);
  void* p = memory::allocate_host(64);
  memory::deallocate_host(p, 64);
  CHECK(memory::pool_stats().cached_blocks == 0);
  memory::set_pool_limit(size_t{256} << 20);
}

TEST_CASE("the host pool serves several threads at once") {
  memory::empty_cache();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 2000; ++i) {
        const size_t n = static_cast<size_t>(64 * (1 + (i + t) % 7));
        auto* p = static_cast<unsigned char*>(memory::allocate_host(n));
        p[0] = p[n - 1] = static_cast<unsigned char>(i);
        memory::deallocate_host(p, n);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(memory::pool_stats().cached_blocks <= 4 * 7);
  memory::empty_cache();
}

TEST_CASE("blocks of every size class are writable end to end and come back from the pool") {
  // Under 128 KiB from malloc; up to 2 MiB mapped and populated; from 2 MiB mapped for huge pages,
  // the length rounded to whole huge pages or not (a 2 MiB + 64 block would waste almost half).
  memory::empty_cache();
  for (const size_t size : {size_t{4000}, (size_t{128} << 10) + 64, (size_t{2} << 20) - 64, size_t{2} << 20,
                            (size_t{2} << 20) + 64, (size_t{6} << 20) - 4096, (size_t{17} << 20) + 192}) {
    INFO("size " << size);
    auto* p = static_cast<unsigned char*>(memory::allocate_host(size));
    REQUIRE(p != nullptr);
    CHECK(reinterpret_cast<uintptr_t>(p) % 64 == 0);
#if defined(__linux__) && !defined(KERAS_TEST_SANITIZED)
    if (size >= (size_t{2} << 20)) CHECK(reinterpret_cast<uintptr_t>(p) % (size_t{2} << 20) == 0);
#endif
    for (size_t i = 0; i < size; i += 4096) p[i] = static_cast<unsigned char>(i >> 12);
    p[size - 1] = 0xAB;
    CHECK(p[size - 1] == 0xAB);
    {
      memory::RecurringScope recurring;  // cached whatever the size
      memory::deallocate_host(p, size);
      void* again = memory::allocate_host(size);
      CHECK(again == p);
      memory::deallocate_host(again, size);
    }
    memory::empty_cache();  // unmapped or freed: a wrong length would fail here or under ASan
  }
}

}  // TEST_SUITE

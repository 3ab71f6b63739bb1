// A small persistent thread pool: `run(tasks, fn)` hands out task indices through an atomic
// counter to the workers and the calling thread, and returns when all are done.
#pragma once
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "kernels.h"

namespace pofa {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }
  void run(int tasks, TaskFunction task, void* context);
  Parallel parallel() { return Parallel{&ThreadPool::run_static, this}; }

 private:
  static void run_static(void* pool, int tasks, TaskFunction task, void* context);
  void worker_loop();
  void drain();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  TaskFunction task_ = nullptr;
  void* context_ = nullptr;
  int tasks_ = 0;
  std::atomic<int> next_{0};
  int active_ = 0;
};

}  // namespace pofa

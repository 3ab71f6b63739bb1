// A small persistent thread pool: `run(tasks, fn)` hands out task indices through an atomic
// counter to the workers and the calling thread, and returns when all are done. Workers spin
// briefly between jobs (back-to-back kernel calls then start without a wake-up), and the caller
// waits only for the workers that joined the job, never for one that is still asleep.
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

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;  // workers: a new job or stopping
  std::condition_variable idle_;  // the caller: no worker inside a job
  bool stopping_ = false;
  int sleeping_ = 0;
  // The current job, written under mutex_ while no worker is inside one (active_ == 0).
  TaskFunction task_ = nullptr;
  void* context_ = nullptr;
  int tasks_ = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_flag_{false};
  std::atomic<int> next_{0};
  std::atomic<int> active_{0};
};

}  // namespace pofa

#pragma once
// Status and Result<T>: errors travel as values across layer boundaries, never as exceptions.
#include <string>
#include <utility>
#include <variant>

#include "util/assert.h"

namespace paddock {

class Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(std::string message) { return Status(std::move(message)); }

  bool is_ok() const { return !failed_; }
  explicit operator bool() const { return is_ok(); }
  const std::string& message() const { return message_; }

 private:
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}
  bool failed_ = false;
  std::string message_;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}                      // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { PADDOCK_ASSERT(!std::get<Status>(v_).is_ok()); }  // NOLINT

  bool is_ok() const { return v_.index() == 0; }
  explicit operator bool() const { return is_ok(); }
  T& value() & { PADDOCK_ASSERT(is_ok()); return std::get<0>(v_); }
  const T& value() const& { PADDOCK_ASSERT(is_ok()); return std::get<0>(v_); }
  T&& value() && { PADDOCK_ASSERT(is_ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Status& status() const { PADDOCK_ASSERT(!is_ok()); return std::get<1>(v_); }
  const std::string& error() const { return status().message(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace paddock

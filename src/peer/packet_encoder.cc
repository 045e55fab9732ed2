#include "peer/packet_encoder.h"

#include "peer/quorum_codec.h"
#include "util/assert.h"
#include "util/thread_name.h"

namespace paddock::peer {
namespace {

std::string encode_all(const std::vector<quorum::QuorumPacket>& packets, uint64_t bytes) {
  std::string out;
  out.reserve(bytes);
  for (const quorum::QuorumPacket& p : packets) append_quorum_packet(p, out);
  PADDOCK_ASSERT(out.size() == bytes);
  return out;
}

}  // namespace

PacketEncoder::~PacketEncoder() { stop(); }

PacketEncoder::Encoding PacketEncoder::encode(std::vector<quorum::QuorumPacket> packets) {
  Encoding e;
  e.packets = packets.size();
  for (const quorum::QuorumPacket& p : packets) {
    PADDOCK_ASSERT(p.type != quorum::PacketType::kSnap);
    e.bytes += quorum_packet_size(p);
  }
  {
    std::lock_guard lock(mu_);
    if (!stopped_) {
      e.body = SnapBody::pending();
      jobs_.push_back(Job{e.body, std::move(packets), e.bytes});
      if (!worker_.joinable()) worker_ = std::thread([this] { run(); });
      wake_.notify_one();
      return e;
    }
  }
  e.body = SnapBody::ready(encode_all(packets, e.bytes));
  return e;
}

void PacketEncoder::run() {
  set_thread_name("packet-encode");
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stopped_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopped
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    std::string bytes = encode_all(job.packets, job.bytes);
    job.packets = {};  // freed here too, not on the sender's thread
    job.body->set(std::move(bytes));
    lock.lock();
    ++encoded_;
  }
}

void PacketEncoder::stop() {
  std::deque<Job> dropped;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    dropped.swap(jobs_);
    wake_.notify_all();
  }
  for (Job& job : dropped) job.body->fail("shutting down");
  if (worker_.joinable() && worker_.get_id() != std::this_thread::get_id()) worker_.join();
}

uint64_t PacketEncoder::encoded() const {
  std::lock_guard lock(mu_);
  return encoded_;
}

}  // namespace paddock::peer

#pragma once
// A four-letter-word client (like ZooKeeper's FourLetterWordMain): connect, send the word,
// read until the server closes the connection.
#include <chrono>
#include <string>
#include <string_view>

#include "util/result.h"

namespace paddock::app {

// Sends `word` (e.g. "srvr") to host:port and returns the whole reply. Tries every address
// `host` resolves to. Fails on a refused connection, a timeout or an empty reply.
Result<std::string> send_four_letter_word(const std::string& host, int port, std::string_view word,
                                          std::chrono::milliseconds timeout);

}  // namespace paddock::app

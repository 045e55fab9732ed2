// ChildList, NodeTable and NodeBytes (the znode storage), each checked against a standard
// container doing the same operations in a fixed pseudo-random order.
#include "state/child_list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "state/node_table.h"
#include "state/znode.h"

namespace paddock::state {
namespace {

// Owns the nodes a test puts in a ChildList (in the tree, the NodeTable does).
class Nodes {
 public:
  ~Nodes() {
    for (Znode* n : all_) Znode::destroy(n, alloc_);
  }
  Znode* make(const std::string& name) {
    std::string path = "/p/" + name;
    all_.push_back(Znode::make(path, alloc_));
    return all_.back();
  }

 private:
  NodeAlloc alloc_;
  std::vector<Znode*> all_;
};

std::vector<std::string> names(const ChildList& list) {
  std::vector<std::string> out;
  for (const Znode* n : list) out.emplace_back(n->name());
  return out;
}

std::string name_at(const ChildList& list, ChildList::Iterator it) {
  return it == list.end() ? "<end>" : std::string((*it)->name());
}

std::string expected_at(const std::set<std::string>& set, std::set<std::string>::iterator it) {
  return it == set.end() ? "<end>" : *it;
}

TEST(ChildListTest, EmptyListHasNoChildren) {
  ChildList list;
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.size(), 0u);
  EXPECT_EQ(list.begin(), list.end());
  EXPECT_EQ(list.upper_bound("a"), list.end());
  EXPECT_EQ(list.find("a"), nullptr);
  EXPECT_EQ(list.erase("a"), nullptr);
}

TEST(ChildListTest, KeepsNamesInByteOrder) {
  Nodes nodes;
  ChildList list;
  for (const char* n : {"b", "a", "ab", "B", "\xff", "a0", ""}) list.insert(nodes.make(n));
  EXPECT_THAT(names(list), ::testing::ElementsAre("", "B", "a", "a0", "ab", "b", "\xff"));
  EXPECT_EQ(list.find("ab")->name(), "ab");
  EXPECT_EQ(list.find("abc"), nullptr);
}

TEST(ChildListTest, RandomInsertsAndErasesMatchAnOrderedSet) {
  Nodes nodes;
  ChildList list;
  std::set<std::string> expected;
  std::mt19937 rng(12345);
  auto random_name = [&] { return "n" + std::to_string(rng() % 20000); };
  // Grow well past one chunk, then shrink to a few and grow again.
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 6000; ++i) {
      std::string name = random_name();
      if (expected.insert(name).second) list.insert(nodes.make(name));
    }
    ASSERT_EQ(list.size(), expected.size());
    ASSERT_EQ(names(list), std::vector<std::string>(expected.begin(), expected.end()));
    for (int i = 0; i < 20000; ++i) {
      std::string name = random_name();
      Znode* gone = list.erase(name);
      ASSERT_EQ(gone != nullptr, expected.erase(name) == 1) << name;
      if (gone != nullptr) {
        EXPECT_EQ(gone->name(), name);
      }
    }
    ASSERT_EQ(list.size(), expected.size());
    ASSERT_EQ(names(list), std::vector<std::string>(expected.begin(), expected.end()));
  }
  for (int i = 0; i < 2000; ++i) {
    std::string probe = random_name();
    EXPECT_EQ(name_at(list, list.upper_bound(probe)),
              expected_at(expected, expected.upper_bound(probe)));
    EXPECT_EQ(name_at(list, list.lower_bound(probe)),
              expected_at(expected, expected.lower_bound(probe)));
    EXPECT_EQ(list.contains(probe), expected.contains(probe));
  }
}

TEST(ChildListTest, SequentialAppendsFillChunksAndIterateInOrder) {
  Nodes nodes;
  ChildList list;
  std::vector<std::string> expected;
  for (int i = 0; i < 3 * static_cast<int>(ChildList::kChunkMax) + 7; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "s%010d", i);
    expected.emplace_back(name);
    list.insert(nodes.make(name));
  }
  EXPECT_EQ(names(list), expected);
  // Prepending before the first name works at chunk boundaries too.
  for (int i = 0; i < static_cast<int>(ChildList::kChunkMax) + 3; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "a%010d", 9999 - i);
    expected.insert(expected.begin(), name);
    list.insert(nodes.make(name));
  }
  EXPECT_EQ(names(list), expected);
}

// The snapshot cursor resumes with upper_bound(last name written): children that stay in
// the list are all visited even when others come and go between steps.
TEST(ChildListTest, ResumingAfterTheLastNameVisitsEveryChildThatStays) {
  Nodes nodes;
  ChildList list;
  std::set<std::string> stays;
  for (int i = 0; i < 3000; ++i) {
    std::string name = "k" + std::to_string(i * 7 % 3000);
    list.insert(nodes.make(name));
    if (i % 3 == 0) stays.insert(name);
  }
  std::mt19937 rng(7);
  std::set<std::string> seen;
  std::string last;
  bool started = false;
  int added = 0;
  while (true) {
    auto it = started ? list.upper_bound(last) : list.begin();
    if (it == list.end()) break;
    last = std::string((*it)->name());
    started = true;
    seen.insert(last);
    // Between steps: drop a child that does not stay, add a new one.
    std::string victim = "k" + std::to_string(rng() % 3000);
    if (!stays.contains(victim)) list.erase(victim);
    list.insert(nodes.make("k" + std::to_string(rng() % 3000) + "x" + std::to_string(added++)));
  }
  for (const std::string& name : stays) EXPECT_TRUE(seen.contains(name)) << name;
}

TEST(NodeTableTest, CreateFindAndDestroyMatchASet) {
  NodeTable table;
  std::set<std::string> expected;
  std::mt19937 rng(99);
  for (int i = 0; i < 50000; ++i) {
    std::string path = "/t/" + std::to_string(rng() % 8000);
    if (rng() % 3 != 0) {
      if (table.find(path) == nullptr) {
        Znode* n = table.create(path);
        EXPECT_EQ(n->path(), path);
        expected.insert(path);
      }
    } else if (Znode* n = table.find(path)) {
      table.destroy(n);
      expected.erase(path);
    }
  }
  ASSERT_EQ(table.size(), expected.size());
  for (int i = 0; i < 8000; ++i) {
    std::string path = "/t/" + std::to_string(i);
    Znode* n = table.find(path);
    ASSERT_EQ(n != nullptr, expected.contains(path)) << path;
    if (n != nullptr) {
      EXPECT_EQ(n->path(), path);
    }
  }
  size_t visited = 0;
  table.for_each([&](const Znode& n) { visited += expected.contains(std::string(n.path())); });
  EXPECT_EQ(visited, expected.size());
}

TEST(NodeTableTest, ReserveKeepsNodesAndTheMovedFromTableIsEmpty) {
  NodeTable table;
  table.create("/a");
  table.reserve(100000);
  table.create("/b");
  EXPECT_NE(table.find("/a"), nullptr);
  NodeTable moved = std::move(table);
  EXPECT_EQ(moved.size(), 2u);
  EXPECT_NE(moved.find("/b"), nullptr);
  EXPECT_EQ(table.size(), 0u);  // NOLINT(bugprone-use-after-move): the state is specified
  EXPECT_EQ(table.find("/b"), nullptr);
}

TEST(ZnodeTest, PathNameAndDataForms) {
  NodeTable table;
  Znode* root = table.create("/");
  EXPECT_EQ(root->path(), "/");
  EXPECT_EQ(root->name(), "");
  Znode* n = table.create("/a/bc");
  EXPECT_EQ(n->name(), "bc");
  EXPECT_FALSE(n->data_null());
  EXPECT_EQ(n->data(), "");
  for (std::string data : {std::string("1234567"), std::string("12345678"), std::string(100, 'x'),
                           std::string(100, 'y'), std::string(1, '\0'), std::string()}) {
    table.set_data(n, data);
    EXPECT_EQ(n->data(), data);
    EXPECT_FALSE(n->data_null());
    EXPECT_EQ(n->nullable_data(), proto::NodeData(data));
  }
  table.set_data(n, std::nullopt);
  EXPECT_TRUE(n->data_null());
  EXPECT_EQ(n->data_size(), 0u);
  EXPECT_EQ(n->data_view(), std::nullopt);
  table.set_data(n, std::string(300, 'z'));
  EXPECT_EQ(n->data(), std::string(300, 'z'));
  table.set_data(n, std::string(NodeAlloc::kMaxSmall + 1, 'w'));  // past the slabs
  EXPECT_EQ(n->data(), std::string(NodeAlloc::kMaxSmall + 1, 'w'));
  table.set_data(n, std::string(300, 'z'));
  EXPECT_EQ(n->data(), std::string(300, 'z'));
}

TEST(NodeAllocTest, ReusesFreedBlocksOfTheSameSizeAndServesLargeOnes) {
  if (!NodeAlloc::kUsesSlabs) GTEST_SKIP() << "sanitizer build: blocks come from operator new";
  NodeAlloc alloc;
  void* a = alloc.allocate(100);
  void* b = alloc.allocate(100);
  EXPECT_NE(a, b);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 8, 0u);
  alloc.deallocate(a, 100);
  EXPECT_EQ(alloc.allocate(97), a);  // same 8-byte class
  void* big = alloc.allocate(NodeAlloc::kMaxSmall + 1);
  std::memset(big, 1, NodeAlloc::kMaxSmall + 1);
  alloc.deallocate(big, NodeAlloc::kMaxSmall + 1);
  // Many blocks span several slabs and never overlap.
  std::vector<char*> blocks;
  for (int i = 0; i < 20000; ++i) {
    auto* p = static_cast<char*>(alloc.allocate(8 + (i % 40) * 8));
    std::memset(p, i & 0xff, 8 + (i % 40) * 8);
    blocks.push_back(p);
  }
  for (int i = 0; i < 20000; ++i) ASSERT_EQ(blocks[i][0], static_cast<char>(i & 0xff)) << i;
  EXPECT_GT(alloc.slab_bytes(), 1000000u);
}

}  // namespace
}  // namespace paddock::state

#pragma once
// The dgnam binary run on the tiny test pack, written into a scratch folder of the test's own.
#include <gtest/gtest.h>

#include <string>

#include "test_paths.h"
#include "test_support.h"

namespace dgnam::test {

class TinyPackCli : public ::testing::Test {
  protected:
    void SetUp() override { write_tiny_pack(folder / "pack"); }
    CommandResult dgnam(const std::string& args) {
        return run_command(std::string(DGNAM_CLI_PATH) + " --pack " + (folder / "pack").string() +
                           " --device cpu " + args);
    }
    ScratchFolder folder;
};

}  // namespace dgnam::test

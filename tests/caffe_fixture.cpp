#include "caffe_fixture.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "test_paths.h"
#include "test_support.h"

namespace dgnam::test {

std::vector<float> seeded_values(std::size_t count, std::uint32_t seed) {
    std::vector<float> out;
    std::uint32_t state = seed * 2654435761u + 12345u;
    for (std::size_t i = 0; i < count; ++i) {
        state = state * 1664525u + 1013904223u;
        // Multiples of 1/1024 print and parse exactly.
        out.push_back(static_cast<float>(static_cast<int>(state >> 21) - 1024) / 1024.0f);
    }
    return out;
}

std::string blob_text(const std::vector<std::int64_t>& shape, const std::vector<float>& values,
                      bool legacy) {
    std::string out = "blobs {";
    if (legacy) {
        std::vector<std::int64_t> four(4 - std::min<std::size_t>(4, shape.size()), 1);
        four.insert(four.end(), shape.begin(), shape.end());
        out += " num: " + std::to_string(four[0]) + " channels: " + std::to_string(four[1]) +
               " height: " + std::to_string(four[2]) + " width: " + std::to_string(four[3]);
    } else {
        out += " shape {";
        for (auto d : shape)
            out += " dim: " + std::to_string(d);
        out += " }";
    }
    char number[32];
    for (float v : values) {
        std::snprintf(number, sizeof number, " data: %.9g", static_cast<double>(v));
        out += number;
    }
    return out + " }\n";
}

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    ASSERT_TRUE(out.good()) << path;
}

void encode_caffemodel(const std::string& text, const std::filesystem::path& path) {
    const auto text_path = path.string() + ".txt";
    write_text(text_path, text);
    const std::string command = std::string("'") + DGNAM_PROTOC_PATH + "' --proto_path='" +
                                DGNAM_CAFFE_PROTO_DIR +
                                "' --encode=dgnam_caffe.NetParameter caffe.proto < '" + text_path +
                                "' > '" + path.string() + "'";
    const auto result = run_command(command);
    ASSERT_EQ(result.exit_code, 0) << command << "\n" << result.output;
}

}  // namespace dgnam::test

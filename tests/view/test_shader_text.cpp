// The shader texts: read from files at run time, and compiled in through the generated header.
#include <gtest/gtest.h>

#include <string>

#include "dgnam/error.h"
#include "dgnam/view/shader_source.h"
#include "dgnam/view/shader_text.h"

namespace {

using dgnam::view::read_shader_file;

TEST(ShaderSource, ReadsTheSharedShaderFiles) {
    const std::string vertex = read_shader_file(DGNAM_SHADER_SOURCE_DIR, "image.vert");
    EXPECT_EQ(vertex.rfind("#version 330 core", 0), 0u);
    EXPECT_NE(vertex.find("u_image_to_clip"), std::string::npos);
    const std::string fragment = read_shader_file(DGNAM_SHADER_SOURCE_DIR, "image.frag");
    EXPECT_NE(fragment.find("u_stretch"), std::string::npos);
    EXPECT_NE(fragment.find("fwidth"), std::string::npos);
}

TEST(ShaderSource, MissingFileNamesTheFile) {
    try {
        read_shader_file(DGNAM_SHADER_SOURCE_DIR, "no_such_shader.frag");
        FAIL() << "expected dgnam::Error";
    } catch (const dgnam::Error& error) {
        EXPECT_NE(std::string(error.what()).find("no_such_shader.frag"), std::string::npos);
    }
}

TEST(ShaderText, GeneratedHeaderMatchesTheFiles) {
    EXPECT_EQ(std::string(dgnam::view::image_vertex_shader()),
              read_shader_file(DGNAM_SHADER_SOURCE_DIR, "image.vert"));
    EXPECT_EQ(std::string(dgnam::view::image_fragment_shader()),
              read_shader_file(DGNAM_SHADER_SOURCE_DIR, "image.frag"));
}

}  // namespace

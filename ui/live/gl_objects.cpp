#include "gl_objects.h"

#include <stdexcept>
#include <vector>

namespace dgnam::live {
namespace {

std::string shader_log(GLuint shader) {
    GLint length = 0;
    glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &length);
    std::vector<char> log(static_cast<std::size_t>(length > 0 ? length : 1), '\0');
    glGetShaderInfoLog(shader, static_cast<GLsizei>(log.size()), nullptr, log.data());
    return log.data();
}

std::string program_log(GLuint program) {
    GLint length = 0;
    glGetProgramiv(program, GL_INFO_LOG_LENGTH, &length);
    std::vector<char> log(static_cast<std::size_t>(length > 0 ? length : 1), '\0');
    glGetProgramInfoLog(program, static_cast<GLsizei>(log.size()), nullptr, log.data());
    return log.data();
}

void delete_shader(GLuint id) {
    glDeleteShader(id);
}

GlName<delete_shader> compile(GLenum kind, const char* source, const char* what) {
    GlName<delete_shader> shader(glCreateShader(kind));
    glShaderSource(shader.id(), 1, &source, nullptr);
    glCompileShader(shader.id());
    GLint ok = GL_FALSE;
    glGetShaderiv(shader.id(), GL_COMPILE_STATUS, &ok);
    if (ok != GL_TRUE)
        throw std::runtime_error(std::string("the ") + what +
                                 " shader did not compile: " + shader_log(shader.id()));
    return shader;
}

}  // namespace

void delete_texture(GLuint id) {
    glDeleteTextures(1, &id);
}
void delete_buffer(GLuint id) {
    glDeleteBuffers(1, &id);
}
void delete_vertex_array(GLuint id) {
    glDeleteVertexArrays(1, &id);
}
void delete_program(GLuint id) {
    glDeleteProgram(id);
}

void GlTexture::upload(const Image8& image) {
    if (!name_ || image.width != width_ || image.height != height_) {
        GLuint id = 0;
        glGenTextures(1, &id);
        name_ = GlName<delete_texture>(id);
        width_ = image.width;
        height_ = image.height;
        glBindTexture(GL_TEXTURE_2D, id);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAX_LEVEL, 0);  // no mipmaps
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB8, width_, height_, 0, GL_RGB, GL_UNSIGNED_BYTE,
                     nullptr);
    }
    glBindTexture(GL_TEXTURE_2D, name_.id());
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);  // RGB8 rows are width * 3 bytes, not a multiple of 4
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width_, height_, GL_RGB, GL_UNSIGNED_BYTE,
                    image.rgb.data());
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glBindTexture(GL_TEXTURE_2D, 0);
}

void GlTexture::set_linear(bool linear) {
    if (!name_)
        return;
    const GLint filter = linear ? GL_LINEAR : GL_NEAREST;
    glBindTexture(GL_TEXTURE_2D, name_.id());
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
    glBindTexture(GL_TEXTURE_2D, 0);
}

GlProgram::GlProgram(const char* vertex_source, const char* fragment_source) {
    const auto vertex = compile(GL_VERTEX_SHADER, vertex_source, "vertex");
    const auto fragment = compile(GL_FRAGMENT_SHADER, fragment_source, "fragment");
    name_ = GlName<delete_program>(glCreateProgram());
    glAttachShader(name_.id(), vertex.id());
    glAttachShader(name_.id(), fragment.id());
    glLinkProgram(name_.id());
    GLint ok = GL_FALSE;
    glGetProgramiv(name_.id(), GL_LINK_STATUS, &ok);
    if (ok != GL_TRUE)
        throw std::runtime_error("the image shaders did not link: " + program_log(name_.id()));
    glDetachShader(name_.id(), vertex.id());
    glDetachShader(name_.id(), fragment.id());
}

GLint GlProgram::uniform(const char* name) const {
    return glGetUniformLocation(name_.id(), name);
}

GlUnitQuad::GlUnitQuad() {
    GLuint ids[1] = {0};
    glGenVertexArrays(1, ids);
    array_ = GlName<delete_vertex_array>(ids[0]);
    glGenBuffers(1, ids);
    buffer_ = GlName<delete_buffer>(ids[0]);

    // A core profile draws nothing without a vertex array object.
    static constexpr GLfloat kCorners[] = {0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f};
    glBindVertexArray(array_.id());
    glBindBuffer(GL_ARRAY_BUFFER, buffer_.id());
    glBufferData(GL_ARRAY_BUFFER, sizeof kCorners, kCorners, GL_STATIC_DRAW);
    glEnableVertexAttribArray(0);  // layout(location = 0) in image.vert
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
    glBindVertexArray(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
}

void GlUnitQuad::draw() const {
    glBindVertexArray(array_.id());
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    glBindVertexArray(0);
}

}  // namespace dgnam::live

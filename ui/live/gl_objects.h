#pragma once
// Owners of OpenGL objects: each frees its object when it goes, so they must go while the
// window's context is current (the app destroys them before the window). Move-only.
#include <string>
#include <utility>

#include "dgnam/image.h"
#include "gl_api.h"

namespace dgnam::live {

// One GL name and the function that deletes it.
template <void (*Delete)(GLuint)>
class GlName {
  public:
    GlName() = default;
    explicit GlName(GLuint id) : id_(id) {}
    ~GlName() { reset(); }
    GlName(GlName&& o) noexcept : id_(std::exchange(o.id_, 0)) {}
    GlName& operator=(GlName&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = std::exchange(o.id_, 0);
        }
        return *this;
    }
    GlName(const GlName&) = delete;
    GlName& operator=(const GlName&) = delete;

    GLuint id() const { return id_; }
    explicit operator bool() const { return id_ != 0; }
    void reset() {
        if (id_ != 0)
            Delete(id_);
        id_ = 0;
    }

  private:
    GLuint id_ = 0;
};

void delete_texture(GLuint id);
void delete_buffer(GLuint id);
void delete_vertex_array(GLuint id);
void delete_program(GLuint id);

// An RGB8 texture holding one Image8, top row first.
class GlTexture {
  public:
    GlTexture() = default;
    // (Re)creates the storage when the size changes, then uploads the pixels.
    void upload(const Image8& image);
    void set_linear(bool linear);
    GLuint id() const { return name_.id(); }
    int width() const { return width_; }
    int height() const { return height_; }
    explicit operator bool() const { return static_cast<bool>(name_); }

  private:
    GlName<delete_texture> name_;
    int width_ = 0;
    int height_ = 0;
};

// A linked vertex + fragment shader program. Throws std::runtime_error with the GL log.
class GlProgram {
  public:
    GlProgram(const char* vertex_source, const char* fragment_source);
    GLuint id() const { return name_.id(); }
    // -1 when the program has no such active uniform (the compiler may drop unused ones).
    GLint uniform(const char* name) const;

  private:
    GlName<delete_program> name_;
};

// The quad (0,0)..(1,1) as a triangle strip at attribute location 0 (image.vert's a_corner).
class GlUnitQuad {
  public:
    GlUnitQuad();
    void draw() const;

  private:
    GlName<delete_vertex_array> array_;
    GlName<delete_buffer> buffer_;
};

}  // namespace dgnam::live

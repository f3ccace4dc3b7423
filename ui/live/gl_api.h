#pragma once
// Our own OpenGL 3.3 core calls: the prototypes from Mesa's <GL/glext.h>, linked against libGL,
// which exports every core entry point. (Dear ImGui's OpenGL 3 backend loads its own.)
// Include this before <GLFW/glfw3.h>, with GLFW_INCLUDE_NONE defined there.
#ifndef GL_GLEXT_PROTOTYPES
#define GL_GLEXT_PROTOTYPES 1
#endif
#include <GL/gl.h>
#include <GL/glext.h>

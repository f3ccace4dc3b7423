#pragma once
// The close box of a window, for the tests of dgnam-live under Xvfb. In its own file because
// Xlib's macros (None, Bool, Status) collide with GoogleTest's names.
#include <chrono>
#include <string>

namespace dgnam::live {

// Sends WM_DELETE_WINDOW to the top-level window titled `title`, as a window manager's close box
// does (Xvfb runs none). Waits up to `wait` for the window to appear; false if it never did or
// there is no display.
bool request_close(const std::string& title, std::chrono::seconds wait);

}  // namespace dgnam::live

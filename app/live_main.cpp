// The lean GLFW + Dear ImGui front end; everything it does lives in ui/live and dgnam_core.
#include "live_app.h"

int main(int argc, char** argv) {
    return dgnam::live::run_live(argc, argv);
}

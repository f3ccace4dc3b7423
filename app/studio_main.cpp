#include "studio_app.h"

int main(int argc, char** argv) {
    return dgnam::studio::run_studio(argc, argv);
}

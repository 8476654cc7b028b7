# attestd: the front door. CMake does the building underneath.
#   make run    install what is missing, build, start attestd in dev mode
#   make install PREFIX=/usr/local DESTDIR=
#               build, then install attestd, attest, libattest (.so, .a),
#               include/attest/*.h and attest.pc under DESTDIR/PREFIX
#   make test   install, build with -Werror (gcc, gcc ASan+UBSan, and clang
#               with the libFuzzer targets), run every test (and the unit
#               tests and corpus replays again under ASan+UBSan)
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc)
LISTEN     ?= 127.0.0.1:8443
DATA_DIR   ?= ./var
PREFIX     ?= /usr/local
DESTDIR    ?=

.PHONY: all deps build asan test test-unit run fuzz bench install clean

all: build

deps:
	@scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATT_WERROR=ON >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

asan: deps
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DATT_WERROR=ON \
	  -DATT_SANITIZE=address,undefined >/dev/null
	cmake --build $(BUILD_ASAN) -j $(JOBS)

test: build asan fuzz
	cd $(BUILD_ASAN) && ctest --output-on-failure -j $(JOBS) -L 'unit|fuzz'
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L 'unit|fuzz'

run: build
	./$(BUILD)/attestd serve --dev --listen $(LISTEN) --data-dir $(DATA_DIR)

fuzz: deps
	CC=clang cmake -S . -B $(BUILD_FUZZ) -DATT_FUZZ=ON -DATT_WERROR=ON >/dev/null
	cmake --build $(BUILD_FUZZ) -j $(JOBS)

install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

bench: deps
	scripts/bench.sh

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)

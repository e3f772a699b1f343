/* libFuzzer target for the RCTab contest configuration parser
 * (pc_tab_config_parse): any bytes must give a config or a clean error. */
#include <stddef.h>
#include <stdint.h>

#include "tabulate/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pc_tab_config_t config;
  pc_error_t err;
  if (pc_tab_config_parse((const char *)data, size, "fuzz.json", "/nonexistent", &config, &err) == 0)
    pc_tab_config_free(&config);
  return 0;
}

/** Weight files (safetensors), state dicts and a small JSON reader/writer. */
package org.jgan.core.io;

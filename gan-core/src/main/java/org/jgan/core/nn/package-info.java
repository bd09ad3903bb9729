/** Modules, parameters, buffers, layers, initialisers and composite functions. */
package org.jgan.core.nn;

package org.jgan.core.autograd;

import org.jgan.core.tensor.Tensor;

/**
 * The record of one op application in the graph: the op, its input tensors and its output. The
 * engine frees a node after a backward pass that does not retain the graph; a second pass through
 * it then fails with a message naming the op.
 */
public final class Node {
  private final Op op;
  private Tensor[] inputs;
  private Tensor output;
  private boolean[] needsGrad;

  Node(Op op, Tensor[] inputs) {
    this.op = op;
    this.inputs = inputs;
  }

  /** The op that made this node. */
  public Op op() {
    return op;
  }

  /** Input {@code i} as given to the op. */
  public Tensor input(int i) {
    checkLive();
    return inputs[i];
  }

  /** Number of inputs. */
  public int inputCount() {
    checkLive();
    return inputs.length;
  }

  /** The tensor this node computed. */
  public Tensor output() {
    checkLive();
    return output;
  }

  /** During backward: whether input {@code i} needs a gradient in this pass. */
  public boolean needsGrad(int i) {
    return needsGrad[i];
  }

  /** Whether the graph through this node was freed by an earlier backward pass. */
  public boolean isReleased() {
    return inputs == null;
  }

  void setOutput(Tensor output) {
    this.output = output;
  }

  void setNeedsGrad(boolean[] needsGrad) {
    this.needsGrad = needsGrad;
  }

  Tensor[] inputsOrNull() {
    return inputs;
  }

  void release() {
    inputs = null;
    output = null;
    needsGrad = null;
  }

  private void checkLive() {
    if (inputs == null) {
      throw new IllegalStateException(
          "trying to backward through the graph a second time (op '"
              + op.name()
              + "'): the graph"
              + " was freed by an earlier backward pass; pass retainGraph = true to the first call"
              + " if you need to backward twice");
    }
  }
}

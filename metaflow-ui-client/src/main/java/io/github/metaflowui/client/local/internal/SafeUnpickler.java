package io.github.metaflowui.client.local.internal;

import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Pyrolite's unpickler, restricted so that a pickle can never make it run code or reach a class
 * chosen by the data:
 * <ul>
 *   <li>{@code GLOBAL}, {@code STACK_GLOBAL} and {@code INST} never consult Pyrolite's global
 *       (static, mutable) constructor registry: {@code builtins.set}/{@code frozenset} become Java
 *       sets, everything else becomes an inert {@link PyObject} that only records its class name;</li>
 *   <li>{@code BUILD} discards the state instead of calling {@code __setstate__} by reflection;</li>
 *   <li>{@code PERSID}/{@code BINPERSID}/{@code EXT*} and out-of-band buffers are refused (Pyrolite's
 *       defaults already refuse them).</li>
 * </ul>
 * Dicts decode to {@link LinkedHashMap} and sets to {@link LinkedHashSet}, keeping Python's order
 * (also through {@code SETITEMS}, which Pyrolite itself collects in a {@code HashMap}).
 * Python maps: int to Integer/Long/BigInteger, float to Double, str to String, bytes to byte[],
 * tuple to Object[], list to ArrayList, None to null.
 *
 * <p>Not thread-safe: use one instance per decode.
 */
public final class SafeUnpickler extends Unpickler {

    /** An instance of a Python class we do not rebuild; only its qualified class name is known. */
    public record PyObject(String module, String name) {
        public String qualifiedName() {
            return module.isEmpty() ? name : module + "." + name;
        }
    }

    /** A Python frozenset (a set that renders and names itself as {@code frozenset}). */
    public static final class FrozenSet extends LinkedHashSet<Object> {
        private static final long serialVersionUID = 1L;

        FrozenSet(Collection<?> items) {
            super(items);
        }
    }

    /** A constructor that builds only an inert record of the class name, whatever the arguments. */
    private record Inert(String module, String name) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            return new PyObject(module, name);
        }
    }

    private record SetMaker(boolean frozen) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            List<Object> items = new ArrayList<>();
            if (args.length > 0 && args[0] instanceof Collection<?> c) {
                items.addAll(c);
            } else if (args.length > 0 && args[0] instanceof Object[] a) {
                items.addAll(List.of(a));
            }
            return frozen ? new FrozenSet(items) : new LinkedHashSet<>(items);
        }
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case Opcodes.EMPTY_DICT:
                stack.add(new LinkedHashMap<Object, Object>());
                return NO_RETURN_VALUE;
            case Opcodes.DICT: {
                List<Object> top = stack.pop_all_since_marker();
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i + 1 < top.size(); i += 2) {
                    map.put(top.get(i), top.get(i + 1));
                }
                stack.add(map);
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEMS: {
                // Pyrolite collects the items in a HashMap first, losing their order
                List<Object> items = stack.pop_all_since_marker();
                @SuppressWarnings("unchecked")
                Map<Object, Object> dict = (Map<Object, Object>) stack.peek();
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    dict.put(items.get(i), items.get(i + 1));
                }
                return NO_RETURN_VALUE;
            }
            case Opcodes.EMPTY_SET:
                stack.add(new LinkedHashSet<Object>());
                return NO_RETURN_VALUE;
            case Opcodes.FROZENSET:
                stack.add(new FrozenSet(stack.pop_all_since_marker()));
                return NO_RETURN_VALUE;
            case Opcodes.GLOBAL: {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(constructorFor(module, name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.STACK_GLOBAL: {
                Object name = stack.pop();
                Object module = stack.pop();
                stack.add(constructorFor(String.valueOf(module), String.valueOf(name)));
                return NO_RETURN_VALUE;
            }
            case Opcodes.INST: {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                List<Object> args = stack.pop_all_since_marker();
                stack.add(constructorFor(module, name).construct(args.toArray()));
                return NO_RETURN_VALUE;
            }
            case Opcodes.BUILD:
                stack.pop(); // the state; the object on the stack stays as it is
                return NO_RETURN_VALUE;
            case Opcodes.PERSID:
            case Opcodes.BINPERSID:
            case Opcodes.EXT1:
            case Opcodes.EXT2:
            case Opcodes.EXT4:
            case Opcodes.NEXT_BUFFER:
            case Opcodes.READONLY_BUFFER:
                throw new PickleException("unsupported pickle opcode " + key);
            default:
                return super.dispatch(key);
        }
    }

    private static IObjectConstructor constructorFor(String module, String name) {
        boolean builtins = module.equals("builtins") || module.equals("__builtin__");
        if (builtins && name.equals("set")) {
            return new SetMaker(false);
        }
        if (builtins && name.equals("frozenset")) {
            return new SetMaker(true);
        }
        return new Inert(module, name);
    }
}

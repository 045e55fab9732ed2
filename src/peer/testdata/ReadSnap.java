import java.io.*;
import java.util.*;
import org.apache.jute.BinaryInputArchive;
import org.apache.zookeeper.server.DataNode;
import org.apache.zookeeper.server.DataTree;
import org.apache.zookeeper.server.quorum.QuorumPacket;
import org.apache.zookeeper.server.util.SerializeUtils;

public class ReadSnap {
  public static void main(String[] a) throws Exception {
    BinaryInputArchive ia =
        BinaryInputArchive.getArchive(new BufferedInputStream(new FileInputStream(a[0])));
    QuorumPacket qp = new QuorumPacket();
    ia.readRecord(qp, "packet");
    System.out.println("type=" + qp.getType() + " zxid=" + qp.getZxid()
        + " data=" + (qp.getData() == null ? "null" : "len " + qp.getData().length));
    DataTree dt = new DataTree();
    Map<Long, Integer> sessions = new HashMap<>();
    SerializeUtils.deserializeSnapshot(dt, ia, sessions);
    String sig = ia.readString("signature");
    System.out.println("signature=" + sig + " sessions=" + sessions + " nodes=" + dt.getNodeCount()
        + " digest=" + dt.getTreeDigest());
    for (String p :
        new String[] {"/a", "/nulldata", "/secret", "/ttl", "/eph", "/zookeeper/config"}) {
      DataNode n = dt.getNode(p);
      System.out.println(p + " data=" + (n.getData() == null ? "null" : new String(n.getData()))
          + " acl=" + dt.getACL(n) + " owner=" + Long.toHexString(n.stat.getEphemeralOwner()));
    }
    System.out.println("ephemerals of session: " + dt.getEphemerals(0x0100000000010000L));
  }
}

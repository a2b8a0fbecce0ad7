# Words of the page frame and of helpers shared by pages (phones, accessibility).
import-col-example = Example:{" "}
